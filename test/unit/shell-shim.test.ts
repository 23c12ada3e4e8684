import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandTable, parseDockerCommand } from '../../src/scripts/docker-command.js';
import { readRecord } from '../../src/scripts/record.js';
import { saveStandIn } from '../../src/scripts/save-stand-in.js';
import { dockerShim, MAX_RECORDED_OUTPUT, shellQuote } from '../../src/scripts/shell-shim.js';
import { tempDir } from '../tmp.js';

// The shell shim against the TypeScript reading of the same command lines, on a large table: what it forwards
// is exactly what isReadOnly calls a read, what it records is the argv byte for byte, and what it pretends is
// what docker would print. Run with /bin/sh (dash on Debian) and with bash, the two shells scripts meet.

const ENGINE = 'unix:///tp7-test-engine.sock';
const WARNING = 'WARNING! This will remove the selected objects.\nAre you sure you want to continue? [y/N] \n';

const GLOBALS: string[][] = [
  [], ['-H', 'unix:///x.sock'], ['--host=tcp://h:2376'], ['-H=unix:///y'], ['--context', 'ctx'], ['-c', 'ctx'], ['--context=ctx'],
  ['--config', '/tmp/cfg'], ['-l', 'error'], ['--log-level=debug'], ['-lerror'], ['-D'], ['-Dl', 'warn'], ['--debug'], ['--tls'],
  ['--tlsverify', '--tlscacert', 'ca.pem', '--tlscert=c.pem', '--tlskey', 'k.pem'], ['--'], ['-D', '--'], ['--unknown-global'],
];
const SUFFIXES: string[][] = [
  [], ['-f'], ['-af'], ['-fa'], ['--force'], ['--force=false'], ['--force=TRUE'], ['--force=yes'], ['-a', '--force=0'], ['-q'],
  ['--filter', 'until=24h', '-f'], ['-fdangling=true'], ['-f=dangling=1', 'x'], ['-o', 'out/x.tar', 'img:1'], ['img:2', '--output=out/x.tar'],
  ['-oout/x.tar', 'a', 'b'], ['--output=-', 'a'], ['--output', '-', 'a', 'b'], ['a', 'b c'], ['--', '-x', '--force'], ['-t', 'n:1', '.'],
  ['--format', '{{.ID}}', 'x'], ['img "quoted"', "it's", 'line\nbreak', 'é ünï 🐳'], [''], ['\\0', '%s', '-n', '-e'], ['-'], ['-o'], ['--output'],
];
const ODD: string[][] = [
  [], ['-H'], ['--'], ['foo', 'prune'], ['foo', 'x prune'], ['', 'prune'], ['image', '-q', 'ls'], ['image', '-x', 'rm', 'a'], ['--', 'images'],
  ['images', '--', '-f'], ['image'], ['imag', 'ls'], ['IMAGES'], ['-H', 'images'], ['--host', 'images', 'ps'], ['-lH', 'x', 'rmi'], ['-l=', 'x', 'ps'],
  ['image prune', '-f'], ['image', 'prune -f'], ['*', '?'], ['system', 'df', '-v'], ['buildx', 'build', '--push', '-t', 'x', '.'],
];

/**
 * Every spelling with a window of the suffixes and global options (rotated, so that together they meet every
 * one), and the commands a recorded run pretends with every suffix.
 */
function table(): string[][] {
  const spellings = Object.values(commandTable().commands).flatMap((spec) => spec.spellings);
  const argvs: string[][] = [...ODD];
  spellings.forEach((spelling, index) => {
    for (let at = 0; at < 6; at++) argvs.push([...GLOBALS[(index + at) % GLOBALS.length]!, ...spelling, ...SUFFIXES[(index * 6 + at) % SUFFIXES.length]!]);
  });
  for (const spelling of [['image', 'prune'], ['save'], ['rmi'], ['rm'], ['volume', 'rm'], ['images']]) {
    SUFFIXES.forEach((suffix, at) => argvs.push([...GLOBALS[at % GLOBALS.length]!, ...spelling, ...suffix]));
  }
  return argvs;
}

/** What the node shim answered (the behaviour the shell one keeps), from the TypeScript reading of argv. */
function pretended(argv: string[]): { stdout: string; code: number; saved?: string } {
  const command = parseDockerCommand(argv);
  if (command.command.endsWith(' prune')) return { stdout: command.flags.force === true ? 'Total reclaimed space: 0B\n' : WARNING, code: 0 };
  if (['image rm', 'container rm', 'volume rm'].includes(command.command) && !command.args.length) return { stdout: '', code: 1 };
  if (command.command === 'image save') {
    const output = command.flags.output;
    if (typeof output !== 'string' || output === '-') return { stdout: saveStandIn(command.args), code: 0 };
    if (output === 'out/x.tar') return { stdout: '', code: 0, saved: saveStandIn(command.args) };
    return { stdout: '', code: 1 }; // '' or another missing folder: docker fails to write it
  }
  if (command.command === 'image rm') return { stdout: command.args.map((arg) => `Untagged: ${arg}\n`).join(''), code: 0 };
  if (['container rm', 'volume rm'].includes(command.command)) return { stdout: command.args.map((arg) => `${arg}\n`).join(''), code: 0 };
  return { stdout: '', code: 0 };
}

/** The scratch folder of a run, its shim, and a "real" docker that shows what it was given. */
function scratch(): { root: string; work: string; shim: string } {
  const root = tempDir('shim-');
  for (const dir of ['bin', 'work/out', 'calls', 'results']) mkdirSync(join(root, dir), { recursive: true });
  const real = join(root, 'real-docker');
  writeFileSync(real, '#!/bin/sh\nprintf "engine %s\\n" "$DOCKER_HOST"; printf "[%s]" "$@"\n', { mode: 0o755 });
  const shim = join(root, 'bin', 'docker');
  writeFileSync(shim, dockerShim({ scratch: root, record: join(root, 'record'), calls: join(root, 'calls'), docker: real, engineHost: ENGINE }), { mode: 0o755 });
  writeFileSync(join(root, 'record'), '');
  return { root, work: join(root, 'work'), shim };
}

/** Runs the shim once per argv with `shell`, from one driver script: each call's output, exit code and saved file. */
function runAll(shell: string, argvs: string[][]) {
  const { root, work, shim } = scratch();
  const results = join(root, 'results');
  const lines = argvs.map((argv, index) => [
    `${shell} ${shellQuote(shim)} ${argv.map(shellQuote).join(' ')} >${results}/${index}.out 2>/dev/null; echo $? >${results}/${index}.code`,
    `if [ -f out/x.tar ]; then mv out/x.tar ${results}/${index}.saved; fi`,
  ].join('\n'));
  writeFileSync(join(root, 'driver.sh'), `${lines.join('\n')}\n`);
  execFileSync('bash', [join(root, 'driver.sh')], { cwd: work, stdio: 'ignore' });
  const read = (index: number, kind: string) => (existsSync(join(results, `${index}.${kind}`)) ? readFileSync(join(results, `${index}.${kind}`), 'utf8') : undefined);
  return {
    calls: readRecord(readFileSync(join(root, 'record'))),
    each: argvs.map((_argv, index) => ({ stdout: read(index, 'out')!, code: Number(read(index, 'code')), saved: read(index, 'saved') })),
  };
}

const forwarded = (argv: string[]) => `engine ${ENGINE}\n${argv.map((arg) => `[${arg}]`).join('')}`;

describe.each(['sh', 'bash'])('the shell shim run by %s', (shell) => {
  it('forwards exactly the reads, records every argv exactly, and pretends the rest as the node shim did', { timeout: 120_000 }, () => {
    const argvs = table();
    expect(argvs.length).toBeGreaterThan(400);
    const { calls, each } = runAll(shell, argvs);
    expect(calls.map((call) => call.argv)).toEqual(argvs);
    const mismatches = argvs.flatMap((argv, index) => {
      const read = parseDockerCommand(argv).readOnly;
      const expected = read ? { stdout: forwarded(argv), code: 0, saved: undefined } : pretended(argv);
      const got = { stdout: each[index]!.stdout, code: each[index]!.code, saved: each[index]!.saved };
      const recorded = calls[index]!.stdout;
      const ok = JSON.stringify(got) === JSON.stringify(expected) && recorded === (read ? forwarded(argv) : undefined);
      return ok ? [] : [{ argv, expected, got, recorded }];
    });
    expect(mismatches.slice(0, 3)).toEqual([]);
  });
});

describe('the shell shim', () => {
  it('keeps the first 64 KiB of a forwarded output in the record, whole characters only, and prints all of it', () => {
    const { root, work, shim } = scratch();
    writeFileSync(join(root, 'real-docker'), `#!/bin/sh\nhead -c ${MAX_RECORDED_OUTPUT - 1} /dev/zero | tr '\\0' a; printf 'éé%s' "$(head -c 1000 /dev/zero | tr '\\0' b)"\n`);
    const printed = execFileSync('sh', [shim, 'images'], { cwd: work, maxBuffer: 1 << 20 }).toString('utf8');
    expect(printed).toBe(`${'a'.repeat(MAX_RECORDED_OUTPUT - 1)}éé${'b'.repeat(1000)}`);
    const [call] = readRecord(readFileSync(join(root, 'record')));
    expect(call).toEqual({ argv: ['images'], stdout: 'a'.repeat(MAX_RECORDED_OUTPUT - 1) });
  });

  it('never writes a save outside the scratch folder: a full path, a linked folder, a linked file', () => {
    const { root, work, shim } = scratch();
    const outside = tempDir('shim-outside-');
    execFileSync('sh', ['-c', `ln -s ${shellQuote(outside)} linked && ln -s ${shellQuote(join(outside, 'f.tar'))} out/link.tar`], { cwd: work });
    for (const output of [join(outside, 'a.tar'), 'linked/b.tar', 'out/link.tar']) {
      expect(execFileSync('sh', [shim, 'save', '-o', output, 'img'], { cwd: work }).toString()).toBe('');
    }
    expect(execFileSync('ls', ['-A', outside]).toString()).toBe('');
    execFileSync('sh', [shim, 'save', '-o', '../kept.tar', 'img'], { cwd: work });
    expect(readFileSync(join(root, 'kept.tar'), 'utf8')).toBe(saveStandIn(['img']));
  });

  it('without a docker CLI, a read fails as a missing command, recorded', () => {
    const { root, work } = scratch();
    const shim = join(root, 'bin', 'docker');
    writeFileSync(shim, dockerShim({ scratch: root, record: join(root, 'record'), calls: join(root, 'calls'), docker: undefined, engineHost: ENGINE }));
    expect(() => execFileSync('sh', [shim, 'ps', '-a'], { cwd: work, stdio: 'pipe' })).toThrow(/found no docker CLI/);
    expect(readRecord(readFileSync(join(root, 'record')))).toEqual([{ argv: ['ps', '-a'] }]);
  });
});

describe('the record', () => {
  const call = (argv: string[], stdout?: string) => Buffer.concat([
    Buffer.from(`tp7-call\0${argv.length}\0${argv.map((arg) => `${arg}\0`).join('')}`),
    stdout === undefined ? Buffer.from('-\0') : Buffer.concat([Buffer.from(`${Buffer.byteLength(stdout)}\0`), Buffer.from(stdout)]),
  ]);

  it('reads calls back, and stops at a truncated last one', () => {
    const whole = Buffer.concat([call(['rmi', '']), call(['images', '-q'], 'a\0b\n'), call(['ps'])]);
    expect(readRecord(whole)).toEqual([{ argv: ['rmi', ''] }, { argv: ['images', '-q'], stdout: 'a\0b\n' }, { argv: ['ps'] }]);
    for (let cut = 0; cut < whole.length; cut++) expect(readRecord(whole.subarray(0, cut)).length).toBeLessThanOrEqual(3);
    expect(readRecord(whole.subarray(0, whole.length - 1))).toHaveLength(2);
    expect(readRecord(Buffer.from('garbage\0'))).toEqual([]);
  });
});
