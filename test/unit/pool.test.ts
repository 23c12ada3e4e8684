import { describe, expect, it } from 'vitest';
import { sharedLimit, mapConcurrent } from '../../src/runner/pool.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('sharedLimit', () => {
  it('lets at most `limit` tasks run at once and every task run, in order of arrival', async () => {
    const turns = sharedLimit(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.all([0, 1, 2, 3, 4].map((n) => turns(async () => {
      started.push(n);
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
      return n * 10;
    })));
    expect(results).toEqual([0, 10, 20, 30, 40]);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives the turn on when a task fails', async () => {
    const turns = sharedLimit(1);
    const failed = turns(async () => {
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    await expect(turns(async () => 'next')).resolves.toBe('next');
  });
});

describe('mapConcurrent', () => {
  it('keeps results in input order', async () => {
    expect(await mapConcurrent([3, 1, 2], 2, async (n) => (await tick(), n))).toEqual([3, 1, 2]);
  });
});
