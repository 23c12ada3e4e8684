import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
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

  it('reading a corrupt file reports it and leaves it in place', () => {
    const workdir = fresh();
    mkdirSync(join(workdir, '.tp7'));
    writeFileSync(progressFile(workdir), '{"format": "tp7-progress/1", "answers": {tru');
    const loaded = loadProgress(workdir);
    expect(loaded.corrupt).toEqual({ file: progressFile(workdir) });
    expect(readFileSync(progressFile(workdir), 'utf8')).toContain('{tru');
  });

  it('writing over a corrupt file first moves it aside, never dropping it, and says where', () => {
    const workdir = fresh();
    mkdirSync(join(workdir, '.tp7'));
    writeFileSync(progressFile(workdir), '{"format": "tp7-progress/1", "answers": {tru');
    const written = updateProgress(workdir, (progress) => {
      progress.hints.ex1 = { a: 1 };
    });
    expect(written.corrupt?.setAside).toMatch(/progress\.json\.corrupt-/);
    expect(readFileSync(written.corrupt!.setAside!, 'utf8')).toContain('{tru');
    expect(loadProgress(workdir).progress.hints.ex1).toEqual({ a: 1 });
  });

  it('treats a file of the wrong shape as corrupt', () => {
    const workdir = fresh();
    mkdirSync(join(workdir, '.tp7'));
    writeFileSync(progressFile(workdir), JSON.stringify({ format: 'tp7-progress/1', answers: 'oops' }));
    expect(loadProgress(workdir).corrupt).toBeDefined();
  });

  it('keeps fields it does not know (a newer tp7, a hand edit) instead of dropping the file', () => {
    const workdir = fresh();
    mkdirSync(join(workdir, '.tp7'));
    writeFileSync(progressFile(workdir), JSON.stringify({ format: 'tp7-progress/1', answers: { ex1: { q: { answer: 'b', at: 'x' } } }, badges: ['gold'] }));
    updateProgress(workdir, (progress) => {
      progress.hints.ex1 = { a: 1 };
    });
    const stored = JSON.parse(readFileSync(progressFile(workdir), 'utf8'));
    expect(stored.badges).toEqual(['gold']);
    expect(stored.answers.ex1.q.answer).toBe('b');
  });

  it('turns a file-system failure into one clear line', () => {
    const workdir = fresh();
    mkdirSync(join(workdir, '.tp7', 'progress.json'), { recursive: true });
    expect(() => loadProgress(workdir)).toThrow(/cannot read your progress file .*progress\.json \(EISDIR\)/);
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
