import { CheckError } from '../errors.js';
import { both } from '../lab/lang.js';

/**
 * A limit shared by every caller in this process: `run(task)` waits for one of `limit` slots. All the exercises
 * of a full-course check draw on the same slots, so nine exercises never put 70 scripts on two cores at once
 * (their time limits would run out while they wait for the CPU).
 */
export function sharedLimit(limit: number): <R>(task: () => Promise<R>) => Promise<R> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active += 1;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter (active unchanged), or is freed.
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}

/** Runs `task` on every item with at most `limit` in flight, results in the items' order. */
export function mapConcurrent<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const run = sharedLimit(limit);
  return Promise.all(items.map((item) => run(() => task(item))));
}

/** The time limit of one check, in the run's language: the error its result shows (name TimeoutError). */
export function checkTimeLimitError(checkId: string, ms: number): CheckError {
  const seconds = ms / 1000;
  const error = new CheckError(both(
    `la vérification ${checkId} a pris plus de ${String(seconds).replace('.', ',')} s`,
    `check ${checkId} took longer than ${seconds} s`,
  ));
  error.name = 'TimeoutError';
  return error;
}

/** Rejects with `error()` when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
