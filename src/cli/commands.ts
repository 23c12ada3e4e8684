import type { CommandModule } from './context.js';
import type { OptionSpec } from './options.js';

// Every command, declared once. A command's code lives in src/commands/<name>/index.ts and is imported only
// when that command runs, so `tp7 --version` and `tp7 list` never load dockerode, marked or enquirer.

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  options?: Record<string, OptionSpec>;
  /** Free text starts at this positional (the command word is 0): there a word with a dash is text, not an option. */
  textFrom?: number;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: CommandSpec[] = [
  { name: 'list', usage: 'tp7 list', summary: 'list the exercises and where you stand', load: () => import('../commands/list/index.js') },
  { name: 'show', usage: 'tp7 show <ex>', summary: "read an exercise's instructions, tasks and questions", load: () => import('../commands/show/index.js') },
  { name: 'quiz', usage: 'tp7 quiz <ex>', summary: "answer an exercise's questions interactively", options: { all: { type: 'boolean', description: 'ask again the questions already answered right' } }, load: () => import('../commands/quiz/index.js') },
  { name: 'answer', usage: 'tp7 answer <ex> <question-id> <answer>...', summary: 'record one answer without prompting and say if it is right', textFrom: 3, load: () => import('../commands/answer/index.js') },
  {
    name: 'check',
    usage: 'tp7 check [<ex>...]',
    summary: 'run the checks (all exercises when none is named) and print the checklist',
    options: {
      reveal: { type: 'boolean', description: 'show the expected answers of questions (for instructors)' },
      strict: { type: 'boolean', description: 'count a check that could not be run (skipped) as failed, in the score and the exit code (for graders)' },
      junit: { type: 'string', value: 'FILE', description: 'also write a JUnit XML report to FILE (CI and gradebooks)' },
      student: { type: 'string', value: 'NAME', description: 'name the student in the report (default: TP7_STUDENT, else the login)' },
    },
    load: () => import('../commands/check/index.js'),
  },
  { name: 'watch', usage: 'tp7 watch <ex>', summary: 'keep the checklist of an exercise on screen, re-checked as you work', load: () => import('../commands/watch/index.js') },
  { name: 'hint', usage: 'tp7 hint <ex> [<check-id>]', summary: 'the next hint for the first check not yet passed', load: () => import('../commands/hint/index.js') },
  { name: 'solution', usage: 'tp7 solution <ex>', summary: 'show the written solution (asks first)', options: { yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation' } }, load: () => import('../commands/solution/index.js') },
  {
    name: 'reset',
    usage: 'tp7 reset <ex>',
    summary: "forget an exercise's answers and hints (your files and images stay)",
    options: {
      yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation' },
      resources: { type: 'boolean', description: 'instead, remove what `tp7 setup <ex>` made (by its label), and nothing else' },
    },
    load: () => import('../commands/reset/index.js'),
  },
  { name: 'setup', usage: 'tp7 setup <ex>', summary: 'make the labelled images and containers an exercise works on (again: no change)', load: () => import('../commands/setup/index.js') },
  {
    name: 'class',
    usage: 'tp7 class <report.json|folder>...',
    summary: "many students' reports at once: a table, --json, or a gradebook --csv",
    options: { csv: { type: 'boolean', description: 'print a gradebook CSV (one line per student)' } },
    load: () => import('../commands/class/index.js'),
  },
  {
    name: 'analyze',
    usage: 'tp7 analyze <image>',
    summary: "analyse an image's layers the way dive does: efficiency, wasted bytes, pass/fail against .dive-ci.yml",
    options: { 'ci-config': { type: 'string', value: 'FILE', description: 'CI rules to apply (dive format); default: .dive-ci.yml in the workdir, else dive\'s defaults' } },
    load: () => import('../commands/analyze/index.js'),
  },
  { name: 'doctor', usage: 'tp7 doctor', summary: 'check the engine, the registry, disk space and the tools the TP uses', load: () => import('../commands/doctor/index.js') },
  { name: 'dev', usage: 'tp7 dev check | tp7 dev schema', summary: 'for course authors: lint every lab file; regenerate the JSON Schemas', load: () => import('../commands/dev/index.js') },
  { name: 'menu', usage: 'tp7 menu', summary: 'the interactive menu (what `tp7` alone opens in a terminal)', load: () => import('../commands/menu/index.js') },
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
