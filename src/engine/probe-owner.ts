// Probe containers belong to the tp7 process that made them. Each carries its owner (host, boot, pid and the
// process's start time, so a reused pid is not mistaken for its owner): a tp7 sweeping leftovers removes only
// those whose owner is gone, never the container another tp7 is reading from at that moment.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Marks the throwaway containers tp7 creates to read files, so they can be told apart from the student's. */
export const PROBE_LABEL = 'org.tp7-lab.probe';
/** Which process made the probe container: `host/boot-id/pid/start-ticks`. */
export const OWNER_LABEL = 'org.tp7-lab.owner';
/**
 * A probe container lives for one read (well under a second, at most one check's time limit). One whose owner
 * cannot be asked (another machine sharing the engine) is stale after this long.
 */
const UNKNOWN_OWNER_STALE_MS = 10 * 60_000;

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or undefined if gone. */
function startTicks(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`, '');
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

function bootId(): string {
  return readOr('/proc/sys/kernel/random/boot_id', 'no-boot-id');
}

/** A running process as an owner (`host/boot-id/pid/start-ticks`), or undefined when it is gone. */
export function ownerOf(pid: number): string | undefined {
  const ticks = startTicks(pid);
  return ticks === undefined ? undefined : [hostname(), bootId(), pid, ticks].join('/');
}

let own: string | undefined;

/** This process as an owner: what its probe containers carry in OWNER_LABEL. */
export function ownerId(): string {
  // Without /proc (not Linux), the time this process started stands in for its start ticks.
  own ??= ownerOf(process.pid) ?? [hostname(), bootId(), process.pid, Math.round(performance.timeOrigin)].join('/');
  return own;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a probe container can be removed by a tp7 that does not own it: its owner has ended (or the machine
 * restarted since). A container from another machine, or without an owner, is stale only once old.
 */
export function isStale(owner: string | undefined, createdMs: number, now = Date.now()): boolean {
  const parts = owner?.split('/') ?? [];
  if (parts.length !== 4) return now - createdMs > UNKNOWN_OWNER_STALE_MS;
  const [host, boot, pidText, ticks] = parts as [string, string, string, string];
  if (host !== hostname()) return now - createdMs > UNKNOWN_OWNER_STALE_MS;
  if (boot !== bootId()) return true;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return owner !== ownerId();
  if (!isAlive(pid)) return true;
  const current = startTicks(pid);
  // Alive, but started at another time: the pid was reused by an unrelated process.
  return current !== undefined && current !== ticks;
}
