import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, Tp7Error, UsageError } from '../errors.js';
import { resolveLang } from '../lab/lang.js';
import { settings } from '../settings.js';
import { setColor } from '../ui/style.js';
import { arity, COMMANDS, findCommand, type CommandSpec } from './commands.js';
import type { CommandContext } from './context.js';
import { GLOBAL_OPTIONS, type OptionSpec } from './options.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return `  ${flag.padEnd(28)} ${spec.description}`;
  });
}

export function helpText(command?: CommandSpec): string {
  if (command) {
    return [`Usage: ${command.usage} [options]`, '', command.summary, '', 'Options:', ...optionLines({ ...command.options, ...GLOBAL_OPTIONS })].join('\n');
  }
  return [
    'tp7 — lab runner for TP7 "Gestion avancée des images" (Docker image management)',
    '',
    'Usage: tp7 [command] [options]      (no command in a terminal: the interactive menu)',
    '',
    'Commands:',
    ...COMMANDS.map((spec) => `  ${spec.usage.padEnd(40)} ${spec.summary}`),
    '',
    'Options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Exit codes: 0 all checks passed · 1 a check failed · 2 usage error or invalid lab files · 3 Docker engine unreachable',
    'Environment: DOCKER_HOST (unix, tcp, ssh), NO_COLOR, TP7_LANG.',
  ].join('\n');
}

/** The command word, wherever it stands: options that take a value (--workdir DIR) may come before it. */
function commandWord(argv: string[]): string | undefined {
  const every = Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((command) => command.options ?? {}));
  try {
    return parseArgs({ args: argv, options: every, allowPositionals: true, strict: false }).positionals[0];
  } catch {
    return argv.find((arg) => !arg.startsWith('-'));
  }
}

async function dispatch(argv: string[]): Promise<number> {
  const firstPositional = commandWord(argv);
  const explicit = firstPositional ? findCommand(firstPositional) : undefined;
  if (firstPositional && !explicit) throw new UsageError(`unknown command "${firstPositional}"; run \`tp7 --help\` for the list`);
  const stdinTty = Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY);
  const command = explicit ?? findCommand('menu')!;
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    // node's own messages run long ("To specify a positional argument..."): keep the first sentence.
    const sentence = (error as Error).message.split(/\.\s/)[0]!.replace(/^Unknown/, 'unknown');
    throw new UsageError(`${sentence}; see \`tp7 ${explicit ? `${command.name} ` : ''}--help\``);
  }
  const values = parsed.values as CommandContext['options'];
  setColor(values['no-color'] ? false : undefined);
  if (values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return ExitCode.ok;
  }
  if (values.help) {
    process.stdout.write(`${helpText(explicit)}\n`);
    return ExitCode.ok;
  }
  if (!explicit && !stdinTty) {
    // A pipe or a script gets the help rather than a menu it cannot answer.
    process.stderr.write(`${helpText()}\n`);
    return ExitCode.usage;
  }
  const lang = values.lang as string | undefined;
  if (lang !== undefined && lang !== 'fr' && lang !== 'en') throw new UsageError(`--lang takes fr or en, not "${lang}"`);
  const context: CommandContext = {
    args: parsed.positionals.slice(explicit ? 1 : 0),
    options: values,
    lang: resolveLang(lang),
    workdir: resolve(String(values.workdir ?? process.cwd())),
    registry: String(values.registry ?? process.env.TP7_REGISTRY ?? 'localhost:5000'),
    json: Boolean(values.json),
    interactive: stdinTty,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  };
  const counts = explicit ? arity(command.usage) : undefined;
  if (counts && (context.args.length < counts.min || context.args.length > counts.max)) {
    throw new UsageError(`usage: ${command.usage}`);
  }
  settings(); // every numeric TP7_* variable checked once, before any work: a bad one is a usage error
  const module = await command.load();
  return module.run(context);
}

/** The one exit point: a Tp7Error prints as one line (plus its details) with its exit code; anything else is a bug. */
export async function main(argv: string[]): Promise<void> {
  let code: number;
  try {
    code = await dispatch(argv);
  } catch (error) {
    if (error instanceof Tp7Error) {
      process.stderr.write(`tp7: ${error.message}\n${error.details.map((line) => `  ${line}\n`).join('')}`);
      code = error.exitCode;
    } else if ((error as { name?: string })?.name === 'ExitPromptError' || error === '') {
      // enquirer rejects with an empty string when the user presses Ctrl+C: leave quietly.
      code = 130;
    } else {
      const text = error instanceof Error ? error.message : String(error);
      process.stderr.write(`tp7: internal error: ${text.split('\n')[0]}\n  (set TP7_DEBUG=1 for details, and please report it)\n`);
      if (process.env.TP7_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
      code = ExitCode.internal;
    }
  }
  process.exitCode = code;
}
