import { both, type LocalizedText } from '../lab/lang.js';
import type { CommandModule } from './context.js';
import { COMMON_OPTIONS, SHARED_OPTIONS, type OptionSpec, type SharedOption } from './options.js';

// Every command, declared once. A command's code lives in src/commands/<name>/index.ts and is imported only
// when that command runs, so `tp7 --version` and `tp7 list` never load dockerode, marked or enquirer.

export interface CommandSpec {
  name: string;
  usage: string;
  /** What `tp7 --help` says of it, in both languages (test/unit/language.test.ts flags a plain English string). */
  summary: LocalizedText | string;
  /**
   * The options of several commands (src/cli/options.ts) this one takes: only those it reads, so that its help
   * lists them and nothing it would ignore is taken silently.
   */
  shared: readonly SharedOption[];
  options?: Record<string, OptionSpec>;
  /** Free text starts at this positional (the command word is 0): there a word with a dash is text, not an option. */
  textFrom?: number;
  load: () => Promise<CommandModule>;
}

/** `--submit [URL]`: a URL or HOST:PORT after it is its value; anything else (an exercise) is not. */
const SUBMIT: OptionSpec = {
  type: 'string',
  value: '[URL]',
  optionalValue: /^(https?:\/\/|[\w.-]+:\d+(\/|$))/i,
  description: both(
    'envoyer aussi le rapport au tableau de la classe rejoint (`tp7 join`), en arrière-plan : un tableau injoignable ne ralentit rien',
    'also send the report to the class board this folder joined (`tp7 join`), in the background: a board that is down slows nothing',
  ),
};

/** `--delimiter`, for the gradebook CSV of `tp7 class` and `tp7 grade` (src/report/delimiter.ts). */
const DELIMITER: OptionSpec = {
  type: 'string',
  value: ',|;|tab',
  description: both(
    'le séparateur des cellules du CSV ; par défaut : `;` en français (ce que découpe un tableur français, décimales avec une virgule), `,` en anglais',
    'the CSV cell delimiter; default: `;` in French (what a French spreadsheet splits on, decimals with a comma), `,` in English',
  ),
};

export const COMMANDS: CommandSpec[] = [
  { name: 'list', shared: ['workdir', 'json'], usage: 'tp7 list', summary: both('les exercices et où vous en êtes', 'list the exercises and where you stand'), load: () => import('../commands/list/index.js') },
  { name: 'show', shared: ['json'], usage: 'tp7 show <ex>', summary: both("les consignes, tâches et questions d'un exercice", "read an exercise's instructions, tasks and questions"), load: () => import('../commands/show/index.js') },
  { name: 'quiz', shared: ['workdir', 'registry'], usage: 'tp7 quiz <ex>', summary: both("répondre aux questions d'un exercice, une à une", "answer an exercise's questions interactively"), options: { all: { type: 'boolean', description: both('reposer aussi les questions déjà réussies', 'ask again the questions already answered right') } }, load: () => import('../commands/quiz/index.js') },
  { name: 'answer', shared: ['workdir', 'registry', 'json'], usage: 'tp7 answer <ex> <question-id> <answer>...', summary: both('enregistrer une réponse sans question posée, et dire si elle est juste', 'record one answer without prompting and say if it is right'), textFrom: 3, load: () => import('../commands/answer/index.js') },
  {
    name: 'check', shared: ['workdir', 'registry', 'json'],
    usage: 'tp7 check [<ex>...]',
    summary: both('lancer les vérifications (de tous les exercices si aucun n’est nommé) et afficher la checklist', 'run the checks (all exercises when none is named) and print the checklist'),
    options: {
      reveal: { type: 'boolean', description: both('montrer les réponses attendues des questions (enseignants)', 'show the expected answers of questions (for instructors)') },
      strict: { type: 'boolean', description: both('compter comme échouée une vérification qui n’a pas pu être faite (sautée), dans le score et le code de sortie, et relancer chaque script sans reprendre de verdict en cache (correcteurs)', 'count a check that could not be run (skipped) as failed, in the score and the exit code, and run every script again rather than reuse a cached verdict (for graders)') },
      junit: { type: 'string', value: 'FILE', description: both('écrire aussi un rapport JUnit XML dans FILE (CI, carnets de notes)', 'also write a JUnit XML report to FILE (CI and gradebooks)') },
      student: { type: 'string', value: 'NAME', description: both("le nom de l'étudiant dans le rapport (par défaut : TP7_STUDENT, sinon le login)", 'name the student in the report (default: TP7_STUDENT, else the login)') },
      submit: SUBMIT,
    },
    load: () => import('../commands/check/index.js'),
  },
  {
    name: 'watch', shared: ['workdir', 'registry'],
    usage: 'tp7 watch <ex>',
    summary: both("garder à l'écran la checklist d'un exercice, revérifiée pendant que vous travaillez", 'keep the checklist of an exercise on screen, re-checked as you work'),
    options: { submit: { ...SUBMIT, description: both('envoyer au tableau de la classe chaque résultat qui change, en arrière-plan', 'send each result that changes to the class board, in the background') } },
    load: () => import('../commands/watch/index.js'),
  },
  { name: 'hint', shared: ['workdir', 'registry', 'json'], usage: 'tp7 hint <ex> [<check-id>]', summary: both('l’indice suivant pour la première vérification pas encore réussie', 'the next hint for the first check not yet passed'), load: () => import('../commands/hint/index.js') },
  { name: 'solution', shared: ['workdir', 'json'], usage: 'tp7 solution <ex>', summary: both('afficher la solution rédigée (après confirmation)', 'show the written solution (asks first)'), options: { yes: { type: 'boolean', short: 'y', description: both('ne pas demander de confirmation', 'do not ask for confirmation') } }, load: () => import('../commands/solution/index.js') },
  {
    name: 'reset', shared: ['workdir', 'json'],
    usage: 'tp7 reset <ex>',
    summary: both("oublier les réponses et indices d'un exercice (vos fichiers et images restent)", "forget an exercise's answers and hints (your files and images stay)"),
    options: {
      yes: { type: 'boolean', short: 'y', description: both('ne pas demander de confirmation', 'do not ask for confirmation') },
      resources: { type: 'boolean', description: both('à la place, supprimer ce que `tp7 setup <ex>` a créé (par son label), et rien d’autre', 'instead, remove what `tp7 setup <ex>` made (by its label), and nothing else') },
    },
    load: () => import('../commands/reset/index.js'),
  },
  { name: 'setup', shared: ['workdir', 'json'], usage: 'tp7 setup <ex>', summary: both('créer les images et conteneurs étiquetés sur lesquels travaille un exercice (relancé : aucun changement)', 'make the labelled images and containers an exercise works on (again: no change)'), load: () => import('../commands/setup/index.js') },
  {
    name: 'class', shared: ['json'],
    usage: 'tp7 class <report.json|folder>...',
    summary: both("les rapports de toute une classe : un tableau, --json, ou un carnet de notes --csv", "many students' reports at once: a table, --json, or a gradebook --csv"),
    options: { csv: { type: 'boolean', description: both('afficher un carnet de notes CSV (une ligne par étudiant)', 'print a gradebook CSV (one line per student)') }, delimiter: DELIMITER },
    load: () => import('../commands/class/index.js'),
  },
  {
    name: 'serve', shared: ['json'],
    usage: 'tp7 serve',
    summary: both(
      "le tableau de classe en direct : les étudiants envoient leurs rapports (`tp7 join`, `--submit`), l'enseignant suit la salle dans son navigateur",
      'the live classroom board: students send their reports (`tp7 join`, `--submit`), the instructor follows the room in a browser',
    ),
    options: {
      host: { type: 'string', value: 'ADDRESS', description: both("l'adresse d'écoute ; par défaut : 127.0.0.1 (cette machine seule) ; 0.0.0.0 pour le réseau de la salle", 'the address to listen on; default: 127.0.0.1 (this machine only); 0.0.0.0 for the classroom network') },
      port: { type: 'string', value: 'PORT', description: both("le port d'écoute ; par défaut : 7070", 'the port to listen on; default: 7070') },
      data: { type: 'string', value: 'DIR', description: both('où garder la classe (code, jetons, rapports, historique) ; par défaut : ./tp7-class ; `tp7 class DIR/reports` le lit', 'where the class is kept (code, tokens, reports, history); default: ./tp7-class; `tp7 class DIR/reports` reads it') },
      'max-students': { type: 'string', value: 'N', description: both("le nombre de noms que la classe peut tenir à la fois ; par défaut : 500 ; au-delà, une inscription est refusée", 'how many names the class holds at once; default: 500; past it, a join is refused') },
    },
    load: () => import('../commands/serve/index.js'),
  },
  {
    name: 'grade', shared: ['json'],
    usage: 'tp7 grade <roster> [<ex>...]',
    summary: both(
      'noter les machines des étudiants d’une liste (CSV ou YAML), avec les vérifications de `tp7 check`, en un carnet de notes',
      "grade the students' own machines named in a roster (CSV or YAML) with the checks of `tp7 check`, into one gradebook",
    ),
    options: {
      jobs: { type: 'string', short: 'j', value: 'N', description: both('étudiants notés en même temps (par défaut 4) ; durée maximale par étudiant : TP7_GRADE_TIMEOUT_MS', 'students graded at once (default 4); time limit per student: TP7_GRADE_TIMEOUT_MS') },
      strict: { type: 'boolean', description: both('compter comme échouée une vérification qui n’a pas pu être faite (sautée)', 'count a check that could not be run (skipped) as failed') },
      csv: { type: 'boolean', description: both('afficher le carnet de notes CSV, avec les colonnes « status » et « error »', 'print the gradebook CSV, with status and error columns') },
      delimiter: DELIMITER,
      junit: { type: 'string', value: 'FILE', description: both('écrire aussi un rapport JUnit XML dans FILE (une suite par étudiant et exercice)', 'also write a JUnit XML report to FILE (a suite per student and exercise)') },
      markdown: { type: 'string', value: 'FILE', description: both('écrire aussi un résumé Markdown pour l’enseignant dans FILE', 'also write a Markdown summary for the instructor to FILE') },
      compare: { type: 'string', value: 'DIR', description: both('comparer au rapport rendu par chaque étudiant (dossier de rapports tp7-report/1) et lister chaque désaccord', 'compare with the report each student handed in (a folder of tp7-report/1 reports) and list every disagreement') },
    },
    load: () => import('../commands/grade/index.js'),
  },
  {
    name: 'analyze', shared: ['workdir', 'json'],
    usage: 'tp7 analyze <image>',
    summary: both("analyser les couches d'une image comme dive : efficacité, octets gaspillés, verdict selon .dive-ci.yml", "analyse an image's layers the way dive does: efficiency, wasted bytes, pass/fail against .dive-ci.yml"),
    options: { 'ci-config': { type: 'string', value: 'FILE', description: both('règles de CI à appliquer (format de dive) ; par défaut : .dive-ci.yml du dossier de travail, sinon celles de dive', "CI rules to apply (dive format); default: .dive-ci.yml in the workdir, else dive's defaults") } },
    load: () => import('../commands/analyze/index.js'),
  },
  { name: 'doctor', shared: ['workdir', 'registry', 'json'], usage: 'tp7 doctor', summary: both('vérifier le moteur, le réseau par défaut, le registre, la place disque et les outils du TP', 'check the engine, the default network, the registry, disk space and the tools the TP uses'), load: () => import('../commands/doctor/index.js') },
  {
    name: 'dev', shared: ['registry', 'json'],
    usage: 'tp7 dev check [--solutions] | tp7 dev schema',
    summary: both('pour les auteurs du cours : valider les fichiers du lab ; régénérer les schémas JSON', 'for course authors: lint every lab file; regenerate the JSON Schemas'),
    options: {
      solutions: { type: 'boolean', description: both('lancer aussi les neuf solutions de référence dans l’ordre, puis exiger que toutes les vérifications passent (moteur dédié seulement)', 'also run the nine reference solutions in course order, then require every check to pass (dedicated engine only)') },
      'yes-this-engine': { type: 'boolean', description: both('avec --solutions : accepter de créer et supprimer des ressources sur ce moteur sans TP7_TEST_ENGINE=1', 'with --solutions: agree to create and remove resources on this engine without TP7_TEST_ENGINE=1') },
    },
    load: () => import('../commands/dev/index.js'),
  },
  {
    name: 'join', shared: ['workdir', 'json'],
    usage: 'tp7 join [<url>]',
    summary: both('rejoindre le tableau de la classe (nom et code de classe demandés) pour y envoyer vos vérifications', 'join the class board (asks your name and the class code) to send your checks to it'),
    options: {
      name: { type: 'string', value: 'NAME', description: both("votre nom sur le tableau (sinon demandé ; sans terminal : TP7_STUDENT, sinon le login)", 'your name on the board (else asked; without a terminal: TP7_STUDENT, else the login)') },
      code: { type: 'string', value: 'CODE', description: both("le code de la classe, donné par l'enseignant (sinon demandé)", 'the class code from your instructor (else asked)') },
    },
    load: () => import('../commands/join/index.js'),
  },
  {
    name: 'submit', shared: ['workdir', 'json'],
    usage: 'tp7 submit',
    summary: both("où en sont les envois au tableau : en attente, dernier envoi, dernière erreur ; relance l'envoi de ce qui attend", 'where sending to the board stands: queued, last sent, last error; sends again what is waiting'),
    options: { status: { type: 'boolean', description: both("seulement l'état, sans rien relancer", 'only the status, start nothing') } },
    load: () => import('../commands/submit/index.js'),
  },
  { name: 'menu', shared: ['workdir', 'registry'], usage: 'tp7 menu', summary: both('le menu interactif (ce que `tp7` seul ouvre dans un terminal)', 'the interactive menu (what `tp7` alone opens in a terminal)'), load: () => import('../commands/menu/index.js') },
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

/** Every option `command` takes, in the order its help lists them: its own, the shared ones it takes, the common ones. */
export function commandOptions(command: CommandSpec): Record<string, OptionSpec> {
  return { ...command.options, ...Object.fromEntries(command.shared.map((name) => [name, SHARED_OPTIONS[name] as OptionSpec])), ...COMMON_OPTIONS };
}
