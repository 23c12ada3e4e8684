import { describe, expect, it } from 'vitest';
import { courseFailures } from '../../src/commands/dev/solutions.js';
import type { Report } from '../../src/report/json.js';
import { sharedLimit } from '../../src/runner/pool.js';
import { isTestEngine } from '../../src/settings.js';

const check = (id: string, kind: string, status: string) => ({ id, kind, status, title: id, points: 1, earned: status === 'pass' ? 1 : 0, expected: '', actual: '', message: `${id} ${status}`, durationMs: 1 });
const report = (checks: ReturnType<typeof check>[], skills: Array<{ id: string; status: string; missing?: string[] }>) =>
  ({ exercises: [{ id: 'ex4', title: '', earned: 0, possible: 0, checks }], checklist: skills.map((skill) => ({ label: skill.id, earned: 1, possible: 1, ...skill })) }) as unknown as Report;

describe('dev check --solutions: what counts as a failure of the course', () => {
  it('lets a Docker Hub check skip offline, and nothing else', () => {
    const failures = courseFailures(report([check('hub-login', 'hub-login', 'skip'), check('ok', 'registry-running', 'pass'), check('arm', 'platform-pulled', 'skip'), check('bad', 'http', 'error')], [{ id: 'tags', status: 'pass' }]));
    expect(failures.map((failure) => failure.check)).toEqual(['arm', 'bad']);
  });
  it('wants every skill pass, naming the missing exercises', () => {
    const failures = courseFailures(report([], [{ id: 'versioning', status: 'partial', missing: ['ex9'] }]));
    expect(failures).toEqual([{ exercise: 'skills', check: 'versioning', status: 'partial', message: 'missing: ex9' }]);
  });
});

describe('TP7_TEST_ENGINE', () => {
  it('is 1, 0 or unset; anything else is a usage error naming it', () => {
    expect(isTestEngine({ TP7_TEST_ENGINE: '1' })).toBe(true);
    expect(isTestEngine({ TP7_TEST_ENGINE: '0' })).toBe(false);
    expect(isTestEngine({})).toBe(false);
    expect(() => isTestEngine({ TP7_TEST_ENGINE: 'yes please' })).toThrow(/TP7_TEST_ENGINE takes 1/);
  });
});

describe('sharedLimit', () => {
  it('keeps at most `limit` tasks in flight across callers, and runs them all', async () => {
    const slot = sharedLimit(2);
    let active = 0;
    let most = 0;
    const task = async (value: number) => {
      active += 1;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active -= 1;
      return value;
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map((value) => slot(() => task(value))));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });
  it('frees the slot when a task throws', async () => {
    const slot = sharedLimit(1);
    await expect(slot(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await slot(async () => 'next')).toBe('next');
  });
});
