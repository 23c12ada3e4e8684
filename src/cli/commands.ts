import { both, type LocalizedText } from '../lab/lang.js';
import type { CommandModule } from './context.js';
import type { OptionSpec } from './options.js';

// Every command, declared once. A command's code lives in src/commands/<name>/index.ts and is imported only
// when that command runs, so `tp7 --version` and `tp7 list` never load dockerode, marked or enquirer.

export interface CommandSpec {
  name: string;
  usage: string;
  /** What `tp7 --help` says of it, in both languages (test/unit/language.test.ts flags a plain English string). */
  summary: LocalizedText | string;
  options?: Record<string, OptionSpec>;
  /** Free text starts at this positional (the command word is 0): there a word with a dash is text, not an option. */
  textFrom?: number;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: CommandSpec[] = [
  { name: 'list', usage: 'tp7 list', summary: both('les exercices et où vous en êtes', 'list the exercises and where you stand'), load: () => import('../commands/list/index.js') },
  { name: 'show', usage: 'tp7 show <ex>', summary: both("les consignes, tâches et questions d'un exercice", "read an exercise's instructions, tasks and questions"), load: () => import('../commands/show/index.js') },
  { name: 'quiz', usage: 'tp7 quiz <ex>', summary: both("répondre aux questions d'un exercice, une à une", "answer an exercise's questions interactively"), options: { all: { type: 'boolean', description: both('reposer aussi les questions déjà réussies', 'ask again the questions already answered right') } }, load: () => import('../commands/quiz/index.js') },
  { name: 'answer', usage: 'tp7 answer <ex> <question-id> <answer>...', summary: both('enregistrer une réponse sans question posée, et dire si elle est juste', 'record one answer without prompting and say if it is right'), textFrom: 3, load: () => import('../commands/answer/index.js') },
  {
    name: 'check',
    usage: 'tp7 check [<ex>...]',
    summary: both('lancer les vérifications (de tous les exercices si aucun n’est nommé) et afficher la checklist', 'run the checks (all exercises when none is named) and print the checklist'),
    options: {
      reveal: { type: 'boolean', description: both('montrer les réponses attendues des questions (enseignants)', 'show the expected answers of questions (for instructors)') },
      strict: { type: 'boolean', description: both('compter comme échouée une vérification qui n’a pas pu être faite (sautée), dans le score et le code de sortie, et relancer chaque script sans reprendre de verdict en cache (correcteurs)', 'count a check that could not be run (skipped) as failed, in the score and the exit code, and run every script again rather than reuse a cached verdict (for graders)') },
      junit: { type: 'string', value: 'FILE', description: both('écrire aussi un rapport JUnit XML dans FILE (CI, carnets de notes)', 'also write a JUnit XML report to FILE (CI and gradebooks)') },
      student: { type: 'string', value: 'NAME', description: both("le nom de l'étudiant dans le rapport (par défaut : TP7_STUDENT, sinon le login)", 'name the student in the report (default: TP7_STUDENT, else the login)') },
    },
    load: () => import('../commands/check/index.js'),
  },
  { name: 'watch', usage: 'tp7 watch <ex>', summary: both("garder à l'écran la checklist d'un exercice, revérifiée pendant que vous travaillez", 'keep the checklist of an exercise on screen, re-checked as you work'), load: () => import('../commands/watch/index.js') },
  { name: 'hint', usage: 'tp7 hint <ex> [<check-id>]', summary: both('l’indice suivant pour la première vérification pas encore réussie', 'the next hint for the first check not yet passed'), load: () => import('../commands/hint/index.js') },
  { name: 'solution', usage: 'tp7 solution <ex>', summary: both('afficher la solution rédigée (après confirmation)', 'show the written solution (asks first)'), options: { yes: { type: 'boolean', short: 'y', description: both('ne pas demander de confirmation', 'do not ask for confirmation') } }, load: () => import('../commands/solution/index.js') },
  {
    name: 'reset',
    usage: 'tp7 reset <ex>',
    summary: both("oublier les réponses et indices d'un exercice (vos fichiers et images restent)", "forget an exercise's answers and hints (your files and images stay)"),
    options: {
      yes: { type: 'boolean', short: 'y', description: both('ne pas demander de confirmation', 'do not ask for confirmation') },
      resources: { type: 'boolean', description: both('à la place, supprimer ce que `tp7 setup <ex>` a créé (par son label), et rien d’autre', 'instead, remove what `tp7 setup <ex>` made (by its label), and nothing else') },
    },
    load: () => import('../commands/reset/index.js'),
  },
  { name: 'setup', usage: 'tp7 setup <ex>', summary: both('créer les images et conteneurs étiquetés sur lesquels travaille un exercice (relancé : aucun changement)', 'make the labelled images and containers an exercise works on (again: no change)'), load: () => import('../commands/setup/index.js') },
  {
    name: 'class',
    usage: 'tp7 class <report.json|folder>...',
    summary: both("les rapports de toute une classe : un tableau, --json, ou un carnet de notes --csv", "many students' reports at once: a table, --json, or a gradebook --csv"),
    options: { csv: { type: 'boolean', description: both('afficher un carnet de notes CSV (une ligne par étudiant)', 'print a gradebook CSV (one line per student)') } },
    load: () => import('../commands/class/index.js'),
  },
  {
    name: 'analyze',
    usage: 'tp7 analyze <image>',
    summary: both("analyser les couches d'une image comme dive : efficacité, octets gaspillés, verdict selon .dive-ci.yml", "analyse an image's layers the way dive does: efficiency, wasted bytes, pass/fail against .dive-ci.yml"),
    options: { 'ci-config': { type: 'string', value: 'FILE', description: both('règles de CI à appliquer (format de dive) ; par défaut : .dive-ci.yml du dossier de travail, sinon celles de dive', "CI rules to apply (dive format); default: .dive-ci.yml in the workdir, else dive's defaults") } },
    load: () => import('../commands/analyze/index.js'),
  },
  { name: 'doctor', usage: 'tp7 doctor', summary: both('vérifier le moteur, le réseau par défaut, le registre, la place disque et les outils du TP', 'check the engine, the default network, the registry, disk space and the tools the TP uses'), load: () => import('../commands/doctor/index.js') },
  { name: 'dev', usage: 'tp7 dev check | tp7 dev schema', summary: both('pour les auteurs du cours : valider les fichiers du lab ; régénérer les schémas JSON', 'for course authors: lint every lab file; regenerate the JSON Schemas'), load: () => import('../commands/dev/index.js') },
  { name: 'menu', usage: 'tp7 menu', summary: both('le menu interactif (ce que `tp7` seul ouvre dans un terminal)', 'the interactive menu (what `tp7` alone opens in a terminal)'), load: () => import('../commands/menu/index.js') },
];

/**
 * How many words a command takes, read from its usage line: <x> is required, [<x>] optional, and "..." means
 * any number more. Usage lines with alternatives (a | b) are checked by the command itself.
 */
export function arity(usage: string): { min: number; max: number } | undefined {
  if (usage.includes('|')) return undefined;
  const words = usage.split(/\s+/).slice(2);
  const min = words.filter((word) => word.startsWith('<')).length;
  const many = words.some((word) => word.endsWith('...') || word.endsWith('...]'));
  return { min, max: many ? Number.POSITIVE_INFINITY : words.length };
}

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}
