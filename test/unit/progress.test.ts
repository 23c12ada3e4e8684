import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProgress, progressFile, updateProgress } from '../../src/progress/store.js';
import { tempDir } from '../tmp.js';

const fresh = () => tempDir('progress-');

describe('progress store', () => {
  it('starts empty and keeps what is written', () => {
    const workdir = fresh();
    expect(loadProgress(workdir).progress.answers).toEqual({});
    updateProgress(workdir, (progress) => {
      progress.answers.ex1 = { arch: { answer: 'amd64', at: '2026-01-01T00:00:00Z' } };
    });
    expect(loadProgress(workdir).progress.answers.ex1?.arch?.answer).toBe('amd64');
    // Nothing half-written stays behind: no temporary file, no lock.
    expect(readdirSync(join(workdir, '.tp7'))).toEqual(['progress.json']);
  });

  it('moves a corrupt file aside instead of dropping it, and says where', () => {
    const workdir = fresh();
    mkdirSync(join(workdir, '.tp7'));
    writeFileSync(progressFile(workdir), '{"format": "tp7-progress/1", "answers": {tru');
    const loaded = loadProgress(workdir);
    expect(loaded.setAside).toMatch(/progress\.json\.corrupt-/);
    expect(readFileSync(loaded.setAside!, 'utf8')).toContain('{tru');
    expect(existsSync(progressFile(workdir))).toBe(false);
  });

  it('treats a file of the wrong shape as corrupt too', () => {
    const workdir = fresh();
    mkdirSync(join(workdir, '.tp7'));
    writeFileSync(progressFile(workdir), JSON.stringify({ format: 'tp7-progress/1', answers: 'oops' }));
    expect(loadProgress(workdir).setAside).toBeDefined();
  });

  it('bounds the run history', () => {
    const workdir = fresh();
    updateProgress(workdir, (progress) => {
      for (let i = 0; i < 600; i++) progress.runs.push({ at: String(i), exercise: 'ex1', earned: 0, possible: 1 });
    });
    const runs = loadProgress(workdir).progress.runs;
    expect(runs).toHaveLength(500);
    expect(runs.at(-1)?.at).toBe('599');
  });

  it('recovers from a lock left by a killed process', () => {
    const workdir = fresh();
    mkdirSync(join(workdir, '.tp7'));
    const lock = join(workdir, '.tp7', 'progress.lock');
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    updateProgress(workdir, (progress) => {
      progress.hints.ex1 = { a: 1 };
    });
    expect(loadProgress(workdir).progress.hints.ex1?.a).toBe(1);
  });
});
