import { describe, expect, it } from 'vitest';
import type { HistoryEntry, ImageInspect } from '../../src/engine/types.js';
import { sharedImageSizeFact } from '../../src/facts/shared-image-size.js';
import { FactSchema } from '../../src/facts/index.js';
import { committedFrom, ownSteps, stepKind } from '../../src/probes/build-history.js';
import { imageFileContent } from '../../src/probes/image-file-content.js';
import { imageMadeBy } from '../../src/probes/image-made-by.js';
import { ProbeSchema } from '../../src/probes/index.js';
import { clients, CONTENT_SHARE, fakeEngine, ID_A, ID_B, type FakeProfileName } from './fake-engine.js';

const ID_C = `sha256:${'c'.repeat(64)}`;
const ID_D = `sha256:${'d'.repeat(64)}`;

const step = (createdBy: string, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  Id: '<missing>', Created: 1_700_000_000, CreatedBy: createdBy, Tags: null, Size: 0, Comment: '', ...extra,
});

// nginx:alpine's own history (newest first), as the legacy builder wrote it.
const BASE = [
  step('/bin/sh -c #(nop)  CMD ["nginx" "-g" "daemon off;"]', { Id: ID_A }),
  step('/bin/sh -c #(nop) COPY dir:1fdc in /usr/share/nginx/html/ ', { Size: 358 }),
  step('', { Comment: 'imported', Size: 2_000_000 }),
];
const COMMIT_STEP = step('nginx -g daemon off;', { Created: 1_800_000_000, Size: 21 });
const RUN_STEP = step('/bin/sh -c echo "<h1>TP7</h1>" > /usr/share/nginx/html/index.html', { Created: 1_800_000_000, Size: 21 });

const DEFAULT_PAGE = '<!DOCTYPE html><title>Welcome to nginx!</title>';

/** The files of the default page, by image. */
const page = (content: string) => ({ '/usr/share/nginx/html/index.html': content });

describe('build history', () => {
  it('tells build steps (legacy and BuildKit) from commit steps', () => {
    expect(stepKind(step('/bin/sh -c #(nop)  CMD ["nginx"]'))).toBe('build');
    expect(stepKind(step('/bin/sh -c apk add curl'))).toBe('build');
    expect(stepKind(step('|2 A=1 B=2 /bin/sh -c echo $A'))).toBe('build');
    expect(stepKind(step('RUN /bin/sh -c echo hi > /x # buildkit', { Comment: 'buildkit.dockerfile.v0' }))).toBe('build');
    expect(stepKind(step('COPY index.html /usr/share/nginx/html/ # buildkit'))).toBe('build');
    expect(stepKind(step('CMD ["nginx" "-g" "daemon off;"]', { Comment: 'buildkit.dockerfile.v0' }))).toBe('build');
    expect(stepKind(step('nginx -g daemon off;'))).toBe('commit');
    expect(stepKind(step('sh', { Comment: 'my change' }))).toBe('commit');
    expect(stepKind(step('sh -c echo TP7 > /usr/share/nginx/html/index.html'))).toBe('commit');
  });

  it('finds the steps an image adds on top of its base, or none when it is not built on it', () => {
    expect(ownSteps([COMMIT_STEP, ...BASE], BASE)).toEqual([COMMIT_STEP]);
    expect(ownSteps(BASE, BASE)).toEqual([]);
    expect(ownSteps([COMMIT_STEP, step('/bin/sh -c other'), BASE[2]!], BASE)).toBeNull();
    expect(ownSteps([BASE[2]!], BASE)).toBeNull();
  });

  it('reads the source image a commit names in its config, not an ID', () => {
    expect(committedFrom({ Id: ID_B, Created: '', Size: 1, Architecture: 'amd64', Os: 'linux', Config: { Image: 'nginx:alpine' } })).toBe('nginx:alpine');
    expect(committedFrom({ Id: ID_B, Created: '', Size: 1, Architecture: 'amd64', Os: 'linux', Config: { Image: ID_A } })).toBeUndefined();
    expect(committedFrom({ Id: ID_B, Created: '', Size: 1, Architecture: 'amd64', Os: 'linux', Config: { Image: '' } })).toBeUndefined();
  });
});

describe('image-made-by', () => {
  const engine = fakeEngine(
    {
      'nginx:alpine': { Id: ID_A, history: BASE },
      'mon-nginx:commit': { Id: ID_B, Config: { Image: 'nginx:alpine' }, history: [COMMIT_STEP, ...BASE] },
      'mon-nginx:dockerfile': { Id: ID_C, Config: { Image: ID_A }, history: [RUN_STEP, ...BASE] },
      'mon-nginx:v1': { Id: ID_A },
      // A commit of a container started with `/bin/sh -c ...`: its history looks like a RUN step.
      'mon-nginx:sh-commit': { Id: ID_D, Config: { Image: 'nginx:alpine' }, history: [RUN_STEP, ...BASE] },
    },
    { 'custom-nginx': { image: 'nginx:alpine' } },
  );
  const spec = (fields: object) => ProbeSchema.parse({ kind: 'image-made-by', base: 'nginx:alpine', ...fields }) as Parameters<typeof imageMadeBy.run>[0];

  it('passes a commit and a Dockerfile build', async () => {
    expect((await imageMadeBy.run(spec({ ref: 'mon-nginx:commit', by: 'commit' }), clients(engine))).status).toBe('pass');
    const built = await imageMadeBy.run(spec({ ref: 'mon-nginx:dockerfile', by: 'dockerfile' }), clients(engine));
    expect(built.status).toBe('pass');
    expect(built.actual).toBe('build: RUN echo "<h1>TP7</h1>" > /usr/share/nginx/html/index.html');
  });

  it('says a Dockerfile build is not the commit asked for, and the other way round', async () => {
    const asCommit = await imageMadeBy.run(spec({ ref: 'mon-nginx:dockerfile', by: 'commit' }), clients(engine));
    expect(asCommit.status).toBe('fail');
    expect(asCommit.message.en).toContain('shows Dockerfile steps');
    const asBuild = await imageMadeBy.run(spec({ ref: 'mon-nginx:commit', by: 'dockerfile' }), clients(engine));
    expect(asBuild.status).toBe('fail');
    expect(asBuild.message.en).toContain('shows a docker commit ("nginx -g daemon off;")');
  });

  it('recognises a commit of a shell command by the source image in its config', async () => {
    expect((await imageMadeBy.run(spec({ ref: 'mon-nginx:sh-commit', by: 'commit' }), clients(engine))).status).toBe('pass');
    expect((await imageMadeBy.run(spec({ ref: 'mon-nginx:sh-commit', by: 'dockerfile' }), clients(engine))).status).toBe('fail');
  });

  it('names the container still waiting to be committed', async () => {
    const result = await imageMadeBy.run(spec({ ref: 'mon-nginx:missing', by: 'commit', container: 'custom-nginx' }), clients(engine));
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('container custom-nginx is there (running)');
    const alone = await imageMadeBy.run(spec({ ref: 'mon-nginx:missing', by: 'commit', container: 'gone' }), clients(engine));
    expect(alone.message.en).toBe('mon-nginx:missing is not on your Docker engine.');
  });

  it('fails a mere tag of the base and an image made from another base', async () => {
    const tag = await imageMadeBy.run(spec({ ref: 'mon-nginx:v1', by: 'commit' }), clients(engine));
    expect(tag.message.en).toContain('is nginx:alpine itself');
    const other = fakeEngine({
      'nginx:alpine': { Id: ID_A, history: BASE },
      'mon-nginx:commit': { Id: ID_B, Config: { Image: 'nginx:latest' }, history: [COMMIT_STEP, step('/bin/sh -c #(nop)  CMD ["debian"]')] },
    });
    const result = await imageMadeBy.run(spec({ ref: 'mon-nginx:commit', by: 'commit' }), clients(other));
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('does not continue that of nginx:alpine (a commit of a container of nginx:latest)');
  });
});

describe('image-file-content', () => {
  const PAGE = '/usr/share/nginx/html/index.html';
  const engine = fakeEngine({
    'nginx:alpine': { files: page(DEFAULT_PAGE) },
    'mon-nginx:commit': { files: page('<h1>Mon nginx du tp7</h1>\n') },
    'mon-nginx:same': { files: page(DEFAULT_PAGE), Comment: 'a commit that changed nothing' },
    'mon-nginx:other': { files: page('<h1>Hello</h1>\n') },
  });
  const spec = (ref: string) => ProbeSchema.parse({ kind: 'image-file-content', ref, path: PAGE, contains: 'TP7', differsFrom: 'nginx:alpine' }) as Parameters<typeof imageFileContent.run>[0];

  it('passes when the file holds the marker, whatever its case', async () => {
    expect((await imageFileContent.run(spec('mon-nginx:commit'), clients(engine))).status).toBe('pass');
  });
  it('tells an unchanged default page from another page', async () => {
    const same = await imageFileContent.run(spec('mon-nginx:same'), clients(engine));
    expect(same.message.en).toContain('is still the one of nginx:alpine');
    const other = await imageFileContent.run(spec('mon-nginx:other'), clients(engine));
    expect(other.message.en).toBe(`${PAGE} in mon-nginx:other does not contain "TP7"; it starts with: <h1>Hello</h1>`);
  });
  it('names the tags present when the image is missing, and a missing file', async () => {
    const missing = await imageFileContent.run(spec('mon-nginx:dockerfile'), clients(engine));
    expect(missing.message.en).toContain('mon-nginx:dockerfile is not on your Docker engine (present: mon-nginx:commit');
    const noFile = await imageFileContent.run({ ...spec('nginx:alpine'), path: '/nope.html' }, clients(engine));
    expect(noFile.message.en).toBe('In nginx:alpine, /nope.html does not exist.');
  });
  it('rejects a relative path', () => {
    expect(ProbeSchema.safeParse({ kind: 'image-file-content', ref: 'a:b', path: 'index.html', contains: 'x' }).success).toBe(false);
  });
});

describe('shared-image-size fact', () => {
  const read = (images: Record<string, Partial<ImageInspect>>, profile?: FakeProfileName) => {
    const spec = FactSchema.parse({ kind: 'shared-image-size', refs: ['mon-nginx:v1', 'mon-nginx:v2'] }) as Parameters<typeof sharedImageSizeFact.read>[0];
    return sharedImageSizeFact.read(spec, clients(fakeEngine(images, {}, profile)));
  };
  it('is the size of the one image the tags share', async () => {
    expect(await read({ 'mon-nginx:v1': { Id: ID_A, Size: 43_000_000 }, 'mon-nginx:v2': { Id: ID_A, Size: 43_000_000 } })).toEqual({ value: 43_000_000 });
  });
  it('on the containerd store, is what docker images shows, docker inspect\'s content size being right too', async () => {
    const fact = await read({ 'mon-nginx:v1': { Id: ID_A, Size: 43_000_000 }, 'mon-nginx:v2': { Id: ID_A, Size: 43_000_000 } }, '29-containerd');
    const content = Math.round(43_000_000 * CONTENT_SHARE);
    expect(fact).toEqual({ value: 43_000_000 + content, synonyms: [String(content)] });
  });
  it('on the containerd store, stays right when a later platform pull makes the image bigger (exercise 7)', async () => {
    const both = { Id: ID_A, Size: 43_000_000, platforms: [{ architecture: 'amd64' }, { architecture: 'arm64', variant: 'v8' }] };
    const fact = await read({ 'mon-nginx:v1': both, 'mon-nginx:v2': both }, '28-containerd');
    const one = 43_000_000 + Math.round(43_000_000 * CONTENT_SHARE);
    // docker images now shows both platforms; what it showed with one, before the arm64 pull, is kept.
    expect(fact.value).toBe(2 * one);
    expect(fact.synonyms).toContain(String(one));
  });
  it('is unknown while a tag is missing or names another image', async () => {
    expect((await read({ 'mon-nginx:v1': { Id: ID_A } })).missing?.en).toBe('mon-nginx:v2 not on the engine');
    const split = await read({ 'mon-nginx:v1': { Id: ID_A }, 'mon-nginx:v2': { Id: ID_B } });
    expect(split.value).toBeNull();
    expect(split.missing?.en).toContain('2 different images');
  });
});
