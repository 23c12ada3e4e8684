import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadLab } from '../../src/lab/loader.js';
import { tempDir } from '../tmp.js';

export const ROOT = join(import.meta.dirname, '../..');
export const TP7_BIN = join(ROOT, 'bin/tp7.js');
/** How solution scripts call tp7: a command line, split on spaces. */
export const TP7_COMMAND = `node ${TP7_BIN}`;

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Each test file's own verdict cache (src/runner/verdict-cache.ts): never the developer's, never another file's. */
const VERDICT_CACHE = tempDir('cache-');
// Also for the tests that start tp7 themselves (execa and spawn inherit this environment).
process.env.XDG_CACHE_HOME = VERDICT_CACHE;

/** An empty user cache: a run given it finds no stored verdict or reading, so it reads everything afresh. */
export function emptyCache(): Record<string, string> {
  return { XDG_CACHE_HOME: tempDir('cache-') };
}

export function newWorkdir(): string {
  return tempDir('work-');
}

/**
 * A throwaway DOCKER_CONFIG (`docker manifest` and `docker login` write there, never in the user's), holding the
 * engine's buildx plugin when it has one (TP7_TEST_BUILDX: the Docker 28.5 engines), as a modern install does.
 */
export function dockerConfig(): string {
  const dir = tempDir('docker-config-');
  if (process.env.TP7_TEST_BUILDX) {
    mkdirSync(join(dir, 'cli-plugins'));
    symlinkSync(process.env.TP7_TEST_BUILDX, join(dir, 'cli-plugins', 'docker-buildx'));
  }
  return dir;
}

/** Runs the built CLI as a student would, in English unless a test says otherwise, never with colour. */
export async function tp7(args: string[], options: { workdir?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const workdirArgs = options.workdir ? ['--workdir', options.workdir] : [];
  const result = await execa('node', [TP7_BIN, ...args, ...workdirArgs], {
    reject: false,
    env: { TP7_LANG: 'en', NO_COLOR: '1', XDG_CACHE_HOME: VERDICT_CACHE, ...options.env },
    cwd: options.workdir ?? ROOT,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export async function tp7Json<T = any>(args: string[], options: { workdir?: string; env?: Record<string, string> } = {}): Promise<{ run: Run; json: T }> {
  const run = await tp7([...args, '--json'], options);
  return { run, json: JSON.parse(run.stdout) as T };
}

/** The docker CLI, for test setup only (the tool under test uses the Engine API). */
export async function docker(...args: string[]): Promise<Run> {
  const result = await execa('docker', args, { reject: false });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The engine's own architecture (amd64, arm64...): what engine-derived answers depend on. */
export async function engineArch(): Promise<string> {
  return (await ok(docker('version', '--format', '{{.Server.Arch}}'))).stdout.trim();
}

let storeOfEngine: Promise<'classic' | 'containerd'> | undefined;

/**
 * The test engine's image store (scripts/test-engine.sh runs 20.10 classic, 28.5 classic or 28.5 containerd): the
 * few verdicts each store words its own way (what proves a pull, what a save holds) are asserted per store.
 */
export function engineStore(): Promise<'classic' | 'containerd'> {
  storeOfEngine ??= ok(docker('info', '--format', '{{json .DriverStatus}}')).then((run) => (run.stdout.includes('io.containerd.snapshotter.v1') ? 'containerd' : 'classic'));
  return storeOfEngine;
}

/**
 * How image-pulled says that `ref` was named with docker tag on an image of the repository `other`: the classic
 * store shows the repo digests a pull recorded, the containerd store the registry that publishes no such manifest.
 */
export async function namedNotPulled(ref: string, other: string): Promise<RegExp> {
  const start = `${ref} exists but did not come from the ${ref.split(':')[0]} repository of a registry: `.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return await engineStore() === 'containerd'
    ? new RegExp(`${start}\\S+ publishes no manifest [0-9a-f]{12} \\(this image's ID\\), which is also named ${other}:`)
    : new RegExp(`${start}its only digests belong to ${other}\\b`);
}

/** Awaits a command and throws with its stderr unless it exited 0: for setup steps that must work. */
export async function ok(run: Promise<Run>): Promise<Run> {
  const result = await run;
  if (result.exitCode !== 0) throw new Error(`command failed (${result.exitCode}): ${result.stderr}`);
  return result;
}

/** `docker build -q -t tag` of a Dockerfile (and extra files) written in a fresh folder. */
export async function buildImage(tag: string, dockerfile: string, files: Record<string, string | Buffer> = {}, options: { legacy?: boolean } = {}): Promise<void> {
  const dir = newWorkdir();
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  // `legacy`: the classic builder, whatever the CLI's default (BuildKit on the 28.5 engines, as on a modern install).
  const result = await execa('docker', ['build', '-q', '-t', tag, dir], { reject: false, env: options.legacy ? { DOCKER_BUILDKIT: '0' } : {} });
  if (result.exitCode !== 0) throw new Error(`command failed (${result.exitCode}): ${result.stderr}`);
}

/** Runs solutions/<ex>/solve.sh in `workdir`, the way `tp7 dev` runs a reference solution (on `env`'s engine). */
export async function runSolution(exercise: string, workdir: string, env: Record<string, string> = {}): Promise<Run> {
  const result = await execa(join(ROOT, 'solutions', exercise, 'solve.sh'), [], {
    reject: false,
    cwd: workdir,
    // `env` may name another engine (DOCKER_HOST): tp7 grade's tests solve exercises on several.
    env: { TP7: TP7_COMMAND, TP7_WORKDIR: workdir, TP7_LANG: 'en', NO_COLOR: '1', XDG_CACHE_HOME: VERDICT_CACHE, ...env },
  });
  const run = { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  if (run.exitCode !== 0) throw new Error(`solutions/${exercise}/solve.sh failed (${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  return run;
}

/**
 * Removes what an exercise declares it creates (its `resources`), and nothing else: tests only remove
 * labelled or named resources of their own.
 */
export async function cleanupExercise(exerciseId: string): Promise<void> {
  const loaded = (await loadLab()).exercises.find(({ exercise }) => exercise.id === exerciseId);
  if (!loaded) throw new Error(`no exercise ${exerciseId}`);
  const { containers, images, volumes } = loaded.exercise.resources;
  // -v: anonymous volumes of the image (registry:2 declares one) go with their container.
  if (containers.length) await docker('rm', '-fv', ...containers);
  for (const image of images) await docker('rmi', '-f', image);
  if (volumes.length) await docker('volume', 'rm', '-f', ...volumes);
}

type Check = { id: string; status: string; message: string; expected: string; actual: string };

export function checksOf(report: { exercises: Array<{ id: string; checks: Check[] }> }, exerciseId: string): Record<string, Check> {
  const exercise = report.exercises.find((candidate) => candidate.id === exerciseId);
  if (!exercise) throw new Error(`${exerciseId} not in report`);
  return Object.fromEntries(exercise.checks.map((check) => [check.id, check]));
}

/** A local TCP port nobody listens to right now (to publish a container on, or to point a client at). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
