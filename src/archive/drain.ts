import type { Writable } from 'node:stream';

/** Resolves when `sink` can take more data, or has closed: the backpressure wait of a manual pipe. */
export function drained(sink: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.once('drain', done);
    sink.once('close', done);
  });
}
