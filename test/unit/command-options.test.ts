import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS, findCommand } from '../../src/cli/commands.js';
import { helpText } from '../../src/cli/main.js';
import { runTp7 } from './run-tp7.js';

// Each command's --help lists the options it takes and no other, and an option a command would ignore is a usage
// error naming it: `tp7 serve --workdir /srv/class` silently keeping the class in ./tp7-class, or `tp7 grade
// --registry` silently grading against each roster line's registry, would cost an instructor a class.

/** What each command takes besides --lang, --no-color and --help (every command's). */
const EXPECTED: Record<string, string[]> = {
  list: ['workdir', 'json'],
  show: ['json'],
  quiz: ['all', 'workdir', 'registry'],
  answer: ['workdir', 'registry', 'json'],
  check: ['reveal', 'strict', 'junit', 'student', 'submit', 'workdir', 'registry', 'json'],
  watch: ['submit', 'workdir', 'registry'],
  hint: ['workdir', 'registry', 'json'],
  solution: ['yes', 'workdir', 'json'],
  reset: ['yes', 'resources', 'workdir', 'json'],
  setup: ['workdir', 'json'],
  class: ['csv', 'delimiter', 'json'],
  serve: ['host', 'port', 'data', 'max-students', 'json'],
  grade: ['jobs', 'strict', 'csv', 'delimiter', 'junit', 'markdown', 'compare', 'json'],
  analyze: ['ci-config', 'workdir', 'json'],
  doctor: ['workdir', 'registry', 'json'],
  dev: ['solutions', 'yes-this-engine', 'registry', 'json'],
  join: ['name', 'code', 'workdir', 'json'],
  submit: ['status', 'workdir', 'json'],
  menu: ['workdir', 'registry'],
};
const EVERY_COMMAND = ['lang', 'no-color', 'help'];

/** The long options a help text lists, in order. */
const listed = (help: string) => [...help.matchAll(/^ {2}(?:-\w, | {4})--([\w-]+)/gm)].map((match) => match[1]);

const tp7 = runTp7;

afterEach(() => {
  process.exitCode = undefined;
});

describe('each command takes its own options', () => {
  it('--help of each command lists exactly the options it takes', () => {
    expect(COMMANDS.map((command) => command.name).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const command of COMMANDS) {
      for (const lang of ['fr', 'en'] as const) expect(listed(helpText(command, lang)), `tp7 ${command.name} --help`).toEqual([...EXPECTED[command.name]!, ...EVERY_COMMAND]);
    }
    const serve = helpText(findCommand('serve'), 'en');
    expect(serve).not.toMatch(/--workdir|--registry|--version/);
  });

  it('tp7 --help lists what tp7 alone takes (the menu\'s options and --version), and points to each command\'s help', () => {
    const help = helpText(undefined, 'en');
    expect(listed(help)).toEqual(['workdir', 'registry', ...EVERY_COMMAND, 'version']);
    expect(help).toContain('`tp7 <command> --help`');
    expect(helpText(undefined, 'fr')).toContain('`tp7 <commande> --help`');
  });

  it('an option a command does not take is a usage error naming it and the command, before or after the command word', async () => {
    // (A port serve refuses and an exercise that does not exist: were the option taken, nothing would start.)
    expect(await tp7(['serve', '--workdir', '/srv/class', '--port', 'none', '--lang', 'en'])).toEqual({ code: 2, out: '', err: 'tp7: --workdir does not apply to `tp7 serve`; its options: `tp7 serve --help`\n' });
    expect(await tp7(['--registry', '10.0.0.5:5000', 'grade', 'roster.csv', '--lang', 'fr'])).toEqual({ code: 2, out: '', err: 'tp7 : --registry ne s’applique pas à `tp7 grade` ; ses options : `tp7 grade --help`\n'.replace('tp7 :', 'tp7:') });
    expect((await tp7(['watch', 'ex99', '--json', '--lang', 'en'])).err).toBe('tp7: --json does not apply to `tp7 watch`; its options: `tp7 watch --help`\n');
    expect((await tp7(['class', 'reports', '--jobs', '3', '--lang', 'en'])).err).toBe('tp7: --jobs does not apply to `tp7 class`; its options: `tp7 class --help`\n');
    expect((await tp7(['show', 'ex1', '-V', '--lang', 'en'])).err).toBe('tp7: -V does not apply to `tp7 show`; its options: `tp7 show --help`\n');
    // An option no command has stays an unknown option.
    expect((await tp7(['serve', '--bogus', '--lang', 'en'])).err).toBe("tp7: unknown option '--bogus'; see `tp7 serve --help`\n");
  });

  it('what a command takes still works there, and tp7 alone still prints its version', async () => {
    const version = await tp7(['--version']);
    expect([version.code, version.out]).toEqual([0, expect.stringMatching(/^\d+\.\d+\.\d+\n$/)]);
    const help = await tp7(['serve', '--help', '--lang', 'en']);
    expect([help.code, listed(help.out)]).toEqual([0, [...EXPECTED.serve!, ...EVERY_COMMAND]]);
    expect((await tp7(['show', 'ex1', '--json', '--lang', 'en', '--no-color'])).code).toBe(0);
  });
});
