import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ChildStream } from '../../src/ssh/stream.js';

describe('ChildStream as an http socket', () => {
  it('removes a timeout listener given with a zero time, as net.Socket does (keep-alive reuse adds none)', () => {
    const stream = new ChildStream(spawn('cat', [], { stdio: 'pipe' }));
    try {
      // What http's client does per request on a kept-alive socket: listen, then hand back with setTimeout(0, same).
      for (let request = 0; request < 20; request++) {
        const onTimeout = () => undefined;
        stream.setTimeout(60_000, onTimeout);
        stream.setTimeout(0, onTimeout);
      }
      expect(stream.listenerCount('timeout')).toBe(0);
    } finally {
      stream.destroy();
    }
  });
});
