// What happens when the user stops tp7 (Ctrl+C, SIGTERM): the work in flight is abandoned, but what tp7 made on
// the engine (a probe container half-way through a read) is removed first. One handler for the process.

type Cleanup = () => Promise<void> | void;

/** How long cleanups may take before tp7 exits anyway: a hung engine must not make Ctrl+C hang too. */
const CLEANUP_LIMIT_MS = 5000;

const cleanups = new Set<Cleanup>();
const waiters: Array<(signal: NodeJS.Signals) => void> = [];
let installed = false;
let stopping = false;

function exitCodeOf(signal: NodeJS.Signals): number {
  return 128 + (signal === 'SIGINT' ? 2 : 15);
}

/** Runs every registered cleanup at once, for at most `limitMs` together. */
async function runCleanups(limitMs: number): Promise<void> {
  let limit: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...cleanups].map(async (cleanup) => cleanup())),
    new Promise((resolve) => (limit = setTimeout(resolve, limitMs))),
  ]);
  clearTimeout(limit);
}

async function handle(signal: NodeJS.Signals): Promise<void> {
  // A second Ctrl+C while cleaning up: the user insists.
  if (stopping) process.exit(exitCodeOf(signal));
  stopping = true;
  await runCleanups(CLEANUP_LIMIT_MS);
  // A command waiting for the stop (watch) ends by itself; any other is cut short here.
  if (waiters.length) waiters.splice(0).forEach((resolve) => resolve(signal));
  else process.exit(exitCodeOf(signal));
}

/** Once the command is done, how long what it left running (a reading a time limit gave up on) may go on. */
const LINGER_MS = 300;
/** Then the cleanups of what it made (probe containers) get this long before the process ends. */
const LAST_CLEANUP_MS = 500;

/**
 * Called once the command has returned: the process ends as soon as nothing is left running, and at the latest
 * LINGER_MS after its output is flushed, whatever is still in flight (an engine request that never ends, a
 * connection a hostile machine holds open), its cleanups run first. Only the launcher calls it (bin/tp7.js):
 * tests run `main` in their own process.
 */
export function leaveOnceDone(code: number): void {
  const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => (stream.writableLength ? stream.write('', () => resolve()) : resolve()));
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => {
    setTimeout(() => void runCleanups(LAST_CLEANUP_MS).finally(() => process.exit(code)), LINGER_MS).unref();
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, (received) => void handle(received));
}

/** Runs `cleanup` before the process ends on SIGINT or SIGTERM; returns the function that unregisters it. */
export function onStop(cleanup: Cleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Resolves with the signal once the user asked to stop and the cleanups ran (for commands that run until then). */
export function untilStopped(): Promise<NodeJS.Signals> {
  install();
  return new Promise((resolve) => waiters.push(resolve));
}

/** True once a stop was asked for: long work checks it before starting something new. */
export function isStopping(): boolean {
  return stopping;
}
