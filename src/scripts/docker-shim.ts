// The `docker` a recorded run puts first on the script's PATH. It writes each command line to the record,
// forwards the commands that only read (images, ps, inspect, system df...) to the real docker CLI against
// the real engine, and answers every other one (prune, rm, rmi, tag, run, build...) with a plausible success
// without doing it (a save writes a short stand-in naming its images: see save-stand-in.ts). Run as
// `node docker-shim.js ARGS...` by the wrapper that recorded-run.ts writes.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isReadOnly, parseDockerCommand } from './docker-command.js';
import { saveStandIn } from './save-stand-in.js';

/** What the record keeps of a forwarded command's output: enough to tie `docker rmi $(...)` to a listing. */
const MAX_RECORDED_OUTPUT = 64 * 1024;

function record(argv: string[], stdout?: string): void {
  const line = JSON.stringify(stdout === undefined ? { argv } : { argv, stdout: stdout.slice(0, MAX_RECORDED_OUTPUT) });
  appendFileSync(process.env.TP7_RECORD_FILE!, `${line}\n`);
}

function forward(argv: string[]): number {
  const real = process.env.TP7_REAL_DOCKER;
  if (!real) {
    record(argv);
    process.stderr.write('docker: command not found (tp7 found no docker CLI to answer this read)\n');
    return 127;
  }
  const env = { ...process.env, DOCKER_HOST: process.env.TP7_REAL_DOCKER_HOST ?? '' };
  const result = spawnSync(real, argv, { env, stdio: ['inherit', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 });
  const stdout = result.stdout?.toString('utf8') ?? '';
  record(argv, stdout);
  process.stdout.write(stdout);
  return result.status ?? 1;
}

/** Whether `path` lies in the run's scratch folder (where the record is): the only place the shim writes to. */
function insideScratch(path: string): boolean {
  // Real paths: a folder the script linked to somewhere else is somewhere else.
  const real = (target: string) => (existsSync(target) ? realpathSync(target) : target);
  return resolve(real(dirname(resolve(path))), basename(path)).startsWith(`${real(dirname(resolve(process.env.TP7_RECORD_FILE!)))}/`);
}

/** What docker prints when it has done the thing: enough for a script that reads its output to carry on. */
function pretend(argv: string[]): number {
  record(argv);
  const command = parseDockerCommand(argv);
  const forced = command.flags.force === true;
  if (command.command.endsWith(' prune')) {
    if (!forced) {
      // Without -f docker asks first; the script's input is closed, which docker takes as "no".
      process.stdout.write('WARNING! This will remove the selected objects.\nAre you sure you want to continue? [y/N] \n');
      return 0;
    }
    process.stdout.write('Total reclaimed space: 0B\n');
  } else if (['image rm', 'container rm', 'volume rm'].includes(command.command) && !command.args.length) {
    // As docker does: `docker rmi $(docker images -q -f dangling=true)` with nothing dangling is an error.
    process.stderr.write(`"docker ${command.command}" requires at least 1 argument.\n`);
    return 1;
  } else if (command.command === 'image save') {
    // A stand-in archive naming the images, where docker would write the real one (-o, or standard output).
    const output = command.flags.output;
    if (typeof output !== 'string' || output === '-') process.stdout.write(saveStandIn(command.args));
    else if (!insideScratch(output)) {
      // Never a file outside the run's scratch folder (a real backup folder given by its full path): not written.
    } else {
      try {
        writeFileSync(output, saveStandIn(command.args));
      } catch (error) {
        process.stderr.write(`failed to save image: ${(error as Error).message}\n`); // as docker fails on a bad -o
        return 1;
      }
    }
  } else if (command.command === 'image rm') {
    for (const arg of command.args) process.stdout.write(`Untagged: ${arg}\n`);
  } else if (command.command === 'container rm' || command.command === 'volume rm') {
    for (const arg of command.args) process.stdout.write(`${arg}\n`);
  }
  return 0;
}

const argv = process.argv.slice(2);
process.exitCode = isReadOnly(argv) ? forward(argv) : pretend(argv);
