// A reading given up by its caller (a check's time limit, the user stopping tp7): what it throws, and a promise
// that rejects with it, for racing a wait that would otherwise outlive the reading.

/** The error a stopped reading rejects with: named AbortError, the signal's reason as its cause. */
export function abortError(signal: AbortSignal): Error {
  const error = new Error('the reading was stopped', { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}

/** Rejects once `signal` aborts (at once if it has); `release` removes the listener. Never an unhandled rejection. */
export function whenAborted(signal: AbortSignal | undefined): { stopped?: Promise<never>; release(): void } {
  if (!signal) return { release: () => undefined };
  let reject!: (error: Error) => void;
  const stopped = new Promise<never>((_, fail) => (reject = fail));
  stopped.catch(() => undefined);
  const onAbort = () => reject(abortError(signal));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return { stopped, release: () => signal.removeEventListener('abort', onAbort) };
}
