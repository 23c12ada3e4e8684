import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changeOf } from '../../src/engine/events.js';
import { isStale, OWNER_LABEL, ownerId, ownerOf, PROBE_LABEL } from '../../src/engine/probe-owner.js';
import { FACT_KINDS } from '../../src/facts/index.js';
import { loadLab } from '../../src/lab/loader.js';
import { PROBE_KINDS } from '../../src/probes/index.js';
import type { Outcome } from '../../src/probes/types.js';
import { affects, ANY_CHANGE, inputsOf, mergeChanges, type Change, type Item } from '../../src/runner/inputs.js';
import { runOncePerState } from '../../src/runner/reuse.js';
import { clients, fakeEngine, ID_A, ID_B, type FakeImage } from './fake-engine.js';

describe('engine events as changes', () => {
  const container = (action: string, attributes: Record<string, string>) => ({ Type: 'container', Action: action, Actor: { ID: 'c1', Attributes: attributes } });

  it("ignores tp7's own probe containers and every read-only action", () => {
    for (const action of ['create', 'destroy', 'archive-path']) {
      expect(changeOf(container(action, { name: 'eager_turing', [PROBE_LABEL]: 'true', [OWNER_LABEL]: ownerId() })), action).toBeNull();
    }
    expect(changeOf(container('archive-path', { name: 'registry' }))).toBeNull();
    expect(changeOf({ Type: 'image', Action: 'save', Actor: { ID: ID_A, Attributes: { name: 'nginx:alpine' } } })).toBeNull();
    expect(changeOf({ Type: 'volume', Action: 'create', Actor: { ID: 'v', Attributes: { driver: 'local' } } })).toBeNull();
    expect(changeOf({ Type: 'network', Action: 'connect', Actor: { ID: 'n', Attributes: { name: 'bridge' } } })).toBeNull();
  });

  it("names the image or container a student's action touched", () => {
    expect(changeOf({ Type: 'image', Action: 'tag', Actor: { ID: ID_A, Attributes: { name: 'mon-nginx:v1' } } })).toEqual({ images: ['mon-nginx:v1'], containers: [], registry: false });
    expect(changeOf({ Type: 'image', Action: 'push', Actor: { ID: 'localhost:5000/app:1', Attributes: { name: 'localhost:5000/app:1' } } })?.registry).toBe(true);
    // An untag or a delete names only the image ID: any image may be concerned.
    expect(changeOf({ Type: 'image', Action: 'untag', Actor: { ID: ID_A, Attributes: { name: ID_A } } })?.images).toBe('any');
    expect(changeOf(container('start', { name: 'custom-nginx', image: 'nginx:alpine' }))).toEqual({ images: [], containers: ['custom-nginx'], registry: false });
    // As the engine words them: a pull names the tag in the actor's ID, the repository alone in `name`.
    expect(changeOf({ Type: 'image', Action: 'pull', Actor: { ID: 'nginx:alpine', Attributes: { name: 'nginx' } } })?.images).toEqual(['nginx:alpine']);
    expect(changeOf(container('commit', { name: 'custom-nginx', imageRef: 'mon-nginx:commit', imageID: ID_A }))?.images).toEqual(['mon-nginx:commit']);
    expect(changeOf(container('exec_start: sh -c echo', { name: 'custom-nginx' }))?.containers).toEqual(['custom-nginx']);
  });

  it('treats an unknown or unreadable event as a change of anything', () => {
    expect(changeOf(undefined)).toEqual({ images: 'any', containers: 'any', registry: true });
    expect(changeOf({ Type: 'daemon', Action: 'reload' })).toEqual({ images: 'any', containers: 'any', registry: true });
  });
});

describe('what a check reads', () => {
  it('declares only fields its spec has', () => {
    for (const kind of [...PROBE_KINDS, ...FACT_KINDS]) {
      const shape = (kind.schema as unknown as { shape: Record<string, unknown> }).shape;
      const declared = kind.inputs ?? {};
      for (const fields of [declared.images, declared.containers, declared.files]) {
        if (!fields || fields === 'any') continue;
        for (const field of fields) expect(Object.keys(shape), `${kind.kind}: ${field}`).toContain(field.split('.')[0]);
      }
    }
  });

  it('re-runs on ex2 only the checks a change can reach', async () => {
    const { exercise } = (await loadLab()).exercises.find((loaded) => loaded.exercise.id === 'ex2')!;
    const items: Item[] = [...exercise.checks.map((check): Item => ({ kind: 'check', check })), ...exercise.questions.map((question): Item => ({ kind: 'question', question }))];
    const reached = (change: Change) => items.filter((item) => affects(change, inputsOf(item))).map((item) => (item.kind === 'check' ? item.check.id : item.question.id));
    expect(reached({ images: ['mon-nginx:commit'] })).toEqual(['commit-page', 'commit-is-a-commit']);
    expect(reached({ images: ['mon-nginx:dockerfile'] })).toEqual(['dockerfile-page', 'dockerfile-is-a-build']);
    // Engine questions read the images too; choice questions only the answers.
    expect(reached({ images: ['mon-nginx:v1'] })).toEqual(['own-tags', 'four-tags-disk', 'shared-id']);
    expect(reached({ images: ['docker.io/library/nginx:alpine'] })).toHaveLength(exercise.checks.length);
    expect(reached({ images: ['mon-nginx'] })).toEqual(['own-tags', 'four-tags-disk', 'shared-id']);
    expect(reached({ containers: ['custom-nginx'] })).toEqual(['commit-is-a-commit']);
    expect(reached({ progress: true })).toEqual(exercise.questions.map((question) => question.id));
    expect(reached({ files: ['Dockerfile'], containers: ['some_build_step'] })).toEqual([]);
    expect(reached(ANY_CHANGE)).toHaveLength(items.length);
  });

  it('adds changes up, any winning over names', () => {
    expect(mergeChanges({ images: ['a:1'] }, { images: ['b:1'], progress: true })).toEqual({ images: ['a:1', 'b:1'], containers: undefined, files: undefined, registry: false, progress: true });
    expect(mergeChanges({ images: ['a:1'] }, { images: 'any' }).images).toBe('any');
  });
});

describe('a check with side effects', () => {
  const pass: Outcome = { status: 'pass', expected: 'x', actual: 'x', message: { fr: 'ok', en: 'ok' } };
  const inputs = { images: ['app:1'], containers: [], files: [], registry: false, progress: false };

  it('runs once per state of its inputs', async () => {
    const images: Record<string, { Id: string }> = { 'app:1': { Id: ID_A } };
    let runs = 0;
    const run = async () => {
      runs++;
      return pass;
    };
    const client = () => clients(fakeEngine(images));
    await runOncePerState('t/one', inputs, client(), run);
    await runOncePerState('t/one', inputs, client(), run);
    expect(runs).toBe(1);
    images['app:1'] = { Id: ID_B };
    expect(await runOncePerState('t/one', inputs, client(), run)).toBe(pass);
    expect(runs).toBe(2);
  });

  it("is not fooled by tp7's own probe images: another check's check-time images come and go meanwhile", async () => {
    const images: Record<string, FakeImage> = { 'app:1': { Id: ID_A } };
    const anyImage = { ...inputs, images: 'any' as const };
    let runs = 0;
    const run = async () => {
      runs++;
      return pass;
    };
    await runOncePerState('t/probe', anyImage, clients(fakeEngine(images)), run);
    images['tp7-check-0a1b2c:3d4e'] = { Id: ID_B, Config: { Image: '', Labels: { [PROBE_LABEL]: 'true' } } } as FakeImage;
    await runOncePerState('t/probe', anyImage, clients(fakeEngine(images)), run);
    expect(runs).toBe(1);
    // A student's own new image is a change.
    images['mine:1'] = { Id: `sha256:${'c'.repeat(64)}` };
    await runOncePerState('t/probe', anyImage, clients(fakeEngine(images)), run);
    expect(runs).toBe(2);
  });

  it('runs again after an error (a time-out is worth another try)', async () => {
    let runs = 0;
    const failing = async (): Promise<Outcome> => {
      runs++;
      return { ...pass, status: 'error' };
    };
    const engine = fakeEngine({ 'app:1': { Id: ID_A } });
    await runOncePerState('t/two', inputs, clients(engine), failing);
    await runOncePerState('t/two', inputs, clients(engine), failing);
    expect(runs).toBe(2);
  });

  it("keeps its outcome in the user's cache for the next process, which trusts it only when asked (watch, hint, check without --strict)", async () => {
    const { vi } = await import('vitest');
    const { tempDir } = await import('../tmp.js');
    const workdir = tempDir('side-effects-');
    vi.stubEnv('XDG_CACHE_HOME', tempDir('cache-'));
    try {
      const engine = fakeEngine({ 'app:1': { Id: ID_A } });
      const withWorkdir = { ...clients(engine), workdir };
      let runs = 0;
      const run = async () => {
        runs++;
        return pass;
      };
      const spec = { kind: 'recorded-script', script: 'a.sh' };
      const fresh = async () => {
        vi.resetModules(); // a new process: fresh modules, nothing in memory
        return import('../../src/runner/reuse.js');
      };
      await (await fresh()).runOncePerState('t/stored', inputs, withWorkdir, run, false, spec);
      await (await fresh()).runOncePerState('t/stored', inputs, withWorkdir, run, true, spec);
      expect(runs).toBe(1);
      // Grading (--strict) never reads it.
      await (await fresh()).runOncePerState('t/stored', inputs, withWorkdir, run, false, spec);
      expect(runs).toBe(2);
      // Another spec (the lab changed), another workdir or another engine: a miss.
      await (await fresh()).runOncePerState('t/stored', inputs, withWorkdir, run, true, { ...spec, script: 'b.sh' });
      await (await fresh()).runOncePerState('t/stored', inputs, { ...withWorkdir, workdir: tempDir('other-') }, run, true, spec);
      expect(runs).toBe(4);
      // No file of the cache lives in the workdir.
      expect(existsSync(join(workdir, '.tp7'))).toBe(false);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('ignores a cached verdict edited by hand (its seal no longer matches)', async () => {
    const { vi } = await import('vitest');
    const { tempDir } = await import('../tmp.js');
    const cache = tempDir('cache-');
    vi.stubEnv('XDG_CACHE_HOME', cache);
    try {
      const engine = fakeEngine({ 'app:1': { Id: ID_A } });
      const withWorkdir = { ...clients(engine), workdir: tempDir('side-effects-') };
      let runs = 0;
      const failing = async (): Promise<Outcome> => {
        runs++;
        return { ...pass, status: 'fail' };
      };
      vi.resetModules();
      await (await import('../../src/runner/reuse.js')).runOncePerState('t/sealed', inputs, withWorkdir, failing, true);
      const dir = join(cache, 'tp7', 'verdicts');
      const [file] = readdirSync(dir);
      writeFileSync(join(dir, file!), readFileSync(join(dir, file!), 'utf8').replace('"fail"', '"pass"'));
      vi.resetModules();
      const outcome = await (await import('../../src/runner/reuse.js')).runOncePerState('t/sealed', inputs, withWorkdir, failing, true);
      expect(outcome.status).toBe('fail');
      expect(runs).toBe(2);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('is marked on the kinds that run a student script', () => {
    expect(PROBE_KINDS.filter((kind) => (kind as { sideEffects?: boolean }).sideEffects).map((kind) => kind.kind).sort()).toEqual(['cleanup-script', 'compare-script', 'recorded-script', 'registry-list-runs', 'registry-listing-script', 'unused-images-script', 'version-script']);
  });
});

describe('owners of probe containers', () => {
  const now = Date.now();
  it('keeps the containers of a live tp7 and of this one, removes those of a dead one', () => {
    expect(isStale(ownerId(), now)).toBe(false);
    expect(isStale(ownerOf(process.ppid), now)).toBe(false);
    const [host, boot] = ownerId().split('/');
    expect(isStale(`${host}/${boot}/999999999/1`, now)).toBe(true);
  });

  it('is not fooled by a reused pid (same pid, another start time) or a restart', () => {
    const [host, boot, pid] = ownerOf(process.ppid)!.split('/');
    expect(isStale(`${host}/${boot}/${pid}/1`, now)).toBe(true);
    expect(isStale(`${host}/another-boot/${pid}/1`, now)).toBe(true);
  });

  it('leaves a young container of another machine or of no known owner alone, and sweeps it once old', () => {
    expect(isStale(`not-${hostname()}/b/1/1`, now - 60_000, now)).toBe(false);
    expect(isStale(`not-${hostname()}/b/1/1`, now - 3_600_000, now)).toBe(true);
    expect(isStale(undefined, now - 60_000, now)).toBe(false);
    expect(isStale(undefined, now - 3_600_000, now)).toBe(true);
  });
});

describe('results that cannot change', () => {
  it('an archive is read once while it stays the same file (device, inode, size, mtime)', async () => {
    const { writeFileSync, utimesSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tempDir } = await import('../tmp.js');
    const { workdirFiles } = await import('../../src/files/workdir.js');
    const { readWorkdirArchive } = await import('../../src/probes/archive-file.js');
    const dir = tempDir('archive-memo-');
    writeFileSync(join(dir, 'save.tar'), 'not a tar at all');
    const real = workdirFiles(dir);
    let opens = 0;
    const files = { ...real, open: (path: string) => (opens++, real.open(path)) };
    const first = await readWorkdirArchive(files, 'save.tar');
    const opensOfOneRead = opens;
    expect(opensOfOneRead).toBeGreaterThan(0);
    expect(await readWorkdirArchive(files, 'save.tar')).toEqual(first);
    expect(opens).toBe(opensOfOneRead);
    // Same content, touched: it may be another file now; it is read again.
    utimesSync(join(dir, 'save.tar'), new Date(), new Date(Date.now() + 5000));
    await readWorkdirArchive(files, 'save.tar');
    expect(opens).toBe(2 * opensOfOneRead);
  });
});
