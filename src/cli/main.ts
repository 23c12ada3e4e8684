import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, Tp7Error, UsageError } from '../errors.js';
import { both, langOption, pick, resolveLang, type Lang, type LocalizedText } from '../lab/lang.js';
import { settings } from '../settings.js';
import { setColor } from '../ui/style.js';
import { arity, commandOptions, COMMANDS, findCommand, type CommandSpec } from './commands.js';
import type { CommandContext } from './context.js';
import { COMMON_OPTIONS, SHARED_OPTIONS, VERSION_OPTION, type OptionSpec } from './options.js';
import { findWorkdir } from './workdir.js';
import { endQuietlyOnClosedOutput, writeErr, writeOut } from './output.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function optionLines(options: Record<string, OptionSpec>, lang: Lang): string[] {
  return Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return `  ${flag.padEnd(28)} ${pick(spec.description, lang)}`;
  });
}

const HELP = {
  optionsTitle: both('Options :', 'Options:'),
  commandsTitle: both('Commandes :', 'Commands:'),
  title: both(
    'tp7 — les travaux pratiques du TP7 « Gestion avancée des images » Docker, guidés et vérifiés',
    'tp7 — lab runner for TP7 "Gestion avancée des images" (Docker image management)',
  ),
  line: both(
    'Usage : tp7 [commande] [options]      (sans commande, dans un terminal : le menu interactif)',
    'Usage: tp7 [command] [options]      (no command in a terminal: the interactive menu)',
  ),
  exits: both(
    'Codes de sortie : 0 tout est vert · 1 une vérification a échoué · 2 usage incorrect ou fichiers du lab invalides · 3 moteur Docker injoignable · 4 `tp7 grade` : des étudiants n’ont pas pu être notés · 69 tableau de la classe injoignable (`tp7 join`) · 141 sortie fermée (| head)',
    'Exit codes: 0 all checks passed · 1 a check failed · 2 usage error or invalid lab files · 3 Docker engine unreachable · 4 `tp7 grade`: some students could not be graded · 69 class board unreachable (`tp7 join`) · 141 output closed (| head)',
  ),
  commandHelp: both('Les options de chaque commande : `tp7 <commande> --help`.', "Each command's options: `tp7 <command> --help`."),
  environment: both('Environnement : DOCKER_HOST (unix, tcp, ssh), NO_COLOR, TP7_LANG, TP7_BOARD_TIMEOUT_MS, TP7_SUBMIT_RETRY_FOR_MS, TP7_SUBMIT_BACKOFF_MS.', 'Environment: DOCKER_HOST (unix, tcp, ssh), NO_COLOR, TP7_LANG, TP7_BOARD_TIMEOUT_MS, TP7_SUBMIT_RETRY_FOR_MS, TP7_SUBMIT_BACKOFF_MS.'),
};

export function helpText(command: CommandSpec | undefined, lang: Lang): string {
  const say = (text: LocalizedText) => pick(text, lang);
  if (command) {
    const usage = both(`Usage : ${command.usage} [options]`, `Usage: ${command.usage} [options]`);
    return [say(usage), '', pick(command.summary, lang), '', say(HELP.optionsTitle), ...optionLines(commandOptions(command), lang)].join('\n');
  }
  return [
    say(HELP.title),
    '',
    say(HELP.line),
    '',
    say(HELP.commandsTitle),
    ...COMMANDS.map((spec) => `  ${spec.usage.padEnd(40)} ${pick(spec.summary, lang)}`),
    '',
    say(HELP.optionsTitle),
    ...optionLines(programOptions(), lang),
    say(HELP.commandHelp),
    '',
    say(HELP.exits),
    say(HELP.environment),
  ].join('\n');
}

/** What `tp7` alone takes: the menu's options, and --version. */
function programOptions(): Record<string, OptionSpec> {
  return { ...commandOptions(findCommand('menu')!), ...VERSION_OPTION };
}

/** `--name` or `-n` is an option of some command, or of tp7 alone (given to one that does not take it). */
function declaredElsewhere(flag: string): boolean {
  const options = allOptions();
  if (flag.startsWith('--')) return flag.slice(2) in options;
  return Object.values(options).some((option) => option.short !== undefined && `-${option.short}` === flag);
}

/** node's parseArgs speaks English: its three refusals, said again in the run's language. */
function argumentError(error: unknown, command: string, dashesUsage?: string): UsageError {
  const { code, message } = error as { code?: string; message: string };
  const what = /'([^']*)'/.exec(message)?.[1] ?? '';
  const help = `\`tp7 ${command}--help\``;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && declaredElsewhere(what)) {
    // Ignoring it would hide a mistake (`tp7 serve --workdir DIR` keeps the class in ./tp7-class): say so.
    if (!command) return new UsageError(both(`${what} ne s’applique pas à \`tp7\` seul : nommez une commande ; voir \`tp7 --help\``, `${what} does not apply to \`tp7\` alone: name a command; see \`tp7 --help\``));
    const name = `\`tp7 ${command.trim()}\``;
    return new UsageError(both(`${what} ne s’applique pas à ${name} ; ses options : ${help}`, `${what} does not apply to ${name}; its options: ${help}`));
  }
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    // A text answer that starts with a dash, given before the answer begins: say where it goes.
    const dashes = dashesUsage ? both(` ; un texte qui commence par un tiret va après -- : ${dashesUsage}`, `; a text that starts with a dash goes after --: ${dashesUsage}`) : both('', '');
    return new UsageError(both(`option inconnue « ${what} »${dashes.fr} ; voir ${help}`, `unknown option '${what}'${dashes.en}; see ${help}`));
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /argument missing/.test(message)) {
    return new UsageError(both(`l'option « ${what} » attend une valeur ; voir ${help}`, `option '${what}' needs a value; see ${help}`));
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new UsageError(both(`l'option « ${what} » ne prend pas de valeur ; voir ${help}`, `option '${what}' takes no value; see ${help}`));
  return new UsageError(both(`argument inattendu « ${what} » ; voir ${help}`, `unexpected argument '${what}'; see ${help}`));
}

/** The command word, wherever it stands: options that take a value (--workdir DIR) may come before it. */
function commandWord(argv: string[]): string | undefined {
  try {
    return parseArgs({ args: argv, options: allOptions(), allowPositionals: true, strict: false }).positionals[0];
  } catch {
    return argv.find((arg) => !arg.startsWith('-'));
  }
}

function knownOption(arg: string, options: Record<string, OptionSpec>): OptionSpec | undefined {
  if (arg.startsWith('--')) return options[arg.slice(2).split('=')[0]!];
  if (/^-[A-Za-z]$/.test(arg)) return Object.values(options).find((option) => option.short === arg[1]);
  return undefined;
}

/**
 * `tp7 answer ex1 default-command nginx -g "daemon off;"`: once a command's free text has begun (positional
 * `textFrom`), a word that is no tp7 option belongs to the text, as if written after `--`. tp7's own options
 * (--json, --workdir DIR...) keep their meaning anywhere.
 */
export function protectFreeText(argv: string[], options: Record<string, OptionSpec>, textFrom: number): string[] {
  const rest: string[] = [];
  const text: string[] = [];
  let positionals = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      if (positionals >= textFrom) text.push(...argv.slice(i + 1));
      else rest.push(...argv.slice(i));
      break;
    }
    const option = knownOption(arg, options);
    if (option) {
      rest.push(arg);
      if (option.type === 'string' && !arg.includes('=') && i + 1 < argv.length) rest.push(argv[++i]!);
    } else if (positionals >= textFrom) {
      text.push(arg);
    } else {
      rest.push(arg);
      if (!arg.startsWith('-')) positionals += 1;
    }
  }
  return text.length ? [...rest, '--', ...text] : rest;
}

/** Every option of every command: an option word means the same wherever it is declared. */
function allOptions(): Record<string, OptionSpec> {
  return Object.assign({}, SHARED_OPTIONS, COMMON_OPTIONS, VERSION_OPTION, ...COMMANDS.map((command) => command.options ?? {}));
}

/**
 * Options whose value may be left out (`optionalValue`) written out in full: `--submit URL` as `--submit=URL` when
 * the next word reads as a value, else `--submit=`. Done before parsing, which knows only required values.
 */
export function fillOptionalValues(argv: string[], options: Record<string, OptionSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const pattern = arg.startsWith('--') ? options[arg.slice(2)]?.optionalValue : undefined;
    if (!pattern) out.push(arg);
    else if (i + 1 < argv.length && pattern.test(argv[i + 1]!)) out.push(`${arg}=${argv[++i]!}`);
    else out.push(`${arg}=`);
  }
  return out;
}

async function dispatch(given: string[], lang: Lang): Promise<number> {
  const firstPositional = commandWord(given);
  const explicit = firstPositional ? findCommand(firstPositional) : undefined;
  // Only the command's own options: a `--submit` inside an answer's free text stays text.
  const argv = fillOptionalValues(given, explicit?.options ?? {});
  if (firstPositional && !explicit) {
    throw new UsageError(both(`commande inconnue « ${firstPositional} » ; la liste : \`tp7 --help\``, `unknown command "${firstPositional}"; run \`tp7 --help\` for the list`));
  }
  const stdinTty = Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY);
  const command = explicit ?? findCommand('menu')!;
  const options = explicit ? commandOptions(command) : programOptions();
  let parsed;
  try {
    const args = explicit?.textFrom ? protectFreeText(argv, options, explicit.textFrom) : argv;
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const dashes = explicit?.textFrom ? command.usage.replace(/<(\w+)>\.\.\.$/, '-- <$1>') : undefined;
    throw argumentError(error, explicit ? `${command.name} ` : '', dashes);
  }
  const values = parsed.values as CommandContext['options'];
  setColor(values['no-color'] ? false : undefined);
  if (values.version) {
    writeOut(`${packageVersion()}\n`);
    return ExitCode.ok;
  }
  if (values.help) {
    writeOut(`${helpText(explicit, lang)}\n`);
    return ExitCode.ok;
  }
  if (!explicit && !stdinTty) {
    // A pipe or a script gets the help rather than a menu it cannot answer.
    writeErr(`${helpText(undefined, lang)}\n`);
    return ExitCode.usage;
  }
  const asked = values.lang as string | undefined;
  if (asked !== undefined && asked !== 'fr' && asked !== 'en') throw new UsageError(both(`--lang vaut fr ou en, pas « ${asked} »`, `--lang takes fr or en, not "${asked}"`));
  const context: CommandContext = {
    args: parsed.positionals.slice(explicit ? 1 : 0),
    options: values,
    lang,
    workdir: values.workdir !== undefined ? resolve(String(values.workdir)) : findWorkdir(process.cwd()),
    registry: String(values.registry ?? process.env.TP7_REGISTRY ?? 'localhost:5000'),
    json: Boolean(values.json),
    interactive: stdinTty,
    out: (text) => writeOut(`${text}\n`),
    err: (text) => writeErr(`${text}\n`),
  };
  const counts = explicit ? arity(command.usage) : undefined;
  if (counts && (context.args.length < counts.min || context.args.length > counts.max)) {
    throw new UsageError(both(`usage : ${command.usage}`, `usage: ${command.usage}`));
  }
  settings(); // every numeric TP7_* variable checked once, before any work: a bad one is a usage error
  const module = await command.load();
  return module.run(context);
}

/** The one exit point: a Tp7Error prints as one line (plus its details) with its exit code; anything else is a bug. */
export async function main(argv: string[]): Promise<void> {
  let code: number;
  endQuietlyOnClosedOutput();
  // Known before the arguments are parsed, so that even an argument error speaks the run's language.
  const lang = resolveLang(langOption(argv));
  try {
    code = await dispatch(argv, lang);
  } catch (error) {
    if (error instanceof Tp7Error) {
      writeErr(`tp7: ${pick(error.text, lang)}\n${error.details.map((line) => `  ${pick(line, lang)}\n`).join('')}`);
      code = error.exitCode;
    } else if ((error as { name?: string })?.name === 'ExitPromptError' || error === '') {
      // enquirer rejects with an empty string when the user presses Ctrl+C: leave quietly.
      code = 130;
    } else {
      const text = error instanceof Error ? error.message : String(error);
      writeErr(pick(both(
        `tp7: erreur interne : ${text.split('\n')[0]}\n  (TP7_DEBUG=1 pour les détails ; merci de la signaler)\n`,
        `tp7: internal error: ${text.split('\n')[0]}\n  (set TP7_DEBUG=1 for details, and please report it)\n`,
      ), lang));
      if (process.env.TP7_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
      code = ExitCode.internal;
    }
  }
  process.exitCode = code;
}

export { leaveOnceDone } from '../stop.js';
