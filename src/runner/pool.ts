import { CheckError } from '../errors.js';
import { both } from '../lab/lang.js';

/** Runs tasks with at most `limit` in flight, keeping results in input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
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

/** A gate letting at most `limit` tasks run at once; the others wait their turn, in order. */
export function gate(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
