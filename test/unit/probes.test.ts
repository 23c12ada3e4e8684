import { describe, expect, it } from 'vitest';
import { imageAttribute } from '../../src/probes/image-attribute.js';
import { imageExists } from '../../src/probes/image-exists.js';
import { sameImage } from '../../src/probes/same-image.js';
import { ProbeSchema } from '../../src/probes/index.js';
import { imageAttributeFact } from '../../src/facts/image-attribute.js';
import { clients, CONTENT_SHARE, fakeEngine, ID_A, ID_B } from './fake-engine.js';

const engine = fakeEngine({
  'nginx:latest': { Id: ID_A, Size: 190_000_000 },
  'nginx:stable': { Id: ID_A, Size: 190_000_000 },
  'nginx:alpine': { Id: ID_B, Size: 43_000_000, Config: { ExposedPorts: { '80/tcp': {} }, Cmd: ['nginx', '-g', 'daemon off;'] } },
  'mon-nginx:v1': { Id: ID_A },
});

describe('image-exists', () => {
  it('passes when the image is there', async () => {
    const result = await imageExists.run({ kind: 'image-exists', ref: 'nginx:alpine', present: true }, clients(engine));
    expect(result.status).toBe('pass');
  });
  it('fails naming the tags of the same repository that do exist', async () => {
    const result = await imageExists.run({ kind: 'image-exists', ref: 'nginx:1.25', present: true }, clients(engine));
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('nginx:1.25 is not on your Docker engine');
    expect(result.message.en).toContain('nginx:alpine');
    expect(result.expected).toBe('nginx:1.25 present');
  });
  it('can require absence', async () => {
    expect((await imageExists.run({ kind: 'image-exists', ref: 'nginx:1.25', present: false }, clients(engine))).status).toBe('pass');
    expect((await imageExists.run({ kind: 'image-exists', ref: 'nginx:alpine', present: false }, clients(engine))).status).toBe('fail');
  });
});

describe('same-image', () => {
  it('passes when every reference has one ID', async () => {
    const result = await sameImage.run({ kind: 'same-image', refs: ['nginx:latest', 'nginx:stable'], same: true }, clients(engine));
    expect(result.status).toBe('pass');
  });
  it('names the image a wrongly made tag really points to', async () => {
    const result = await sameImage.run({ kind: 'same-image', refs: ['nginx:alpine', 'mon-nginx:v1'], same: true }, clients(engine));
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/mon-nginx:v1 does not point to the same image as nginx:alpine: it points to aaaaaaaaaaaa \(nginx:latest, nginx:stable\)/);
  });
  it('checks that images differ when asked', async () => {
    expect((await sameImage.run({ kind: 'same-image', refs: ['nginx:latest', 'nginx:alpine'], same: false }, clients(engine))).status).toBe('pass');
    const clash = await sameImage.run({ kind: 'same-image', refs: ['nginx:latest', 'nginx:stable'], same: false }, clients(engine));
    expect(clash.status).toBe('fail');
  });
  it('fails clearly when a reference is missing', async () => {
    const result = await sameImage.run({ kind: 'same-image', refs: ['nginx:latest', 'nginx:1.25'], same: true }, clients(engine));
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('Missing image(s): nginx:1.25');
  });
});

describe('image-attribute', () => {
  const spec = (fields: object) => ProbeSchema.parse({ kind: 'image-attribute', ref: 'nginx:alpine', ...fields }) as Parameters<typeof imageAttribute.run>[0];
  it('compares with another image, with a factor', async () => {
    expect((await imageAttribute.run(spec({ attribute: 'size', lessThanImage: 'nginx:latest', factor: 0.5 }), clients(engine))).status).toBe('pass');
    const failed = await imageAttribute.run(spec({ attribute: 'size', lessThanImage: 'nginx:latest', factor: 0.1 }), clients(engine));
    expect(failed.status).toBe('fail');
    expect(failed.message.en).toContain('found 43000000');
  });
  it('checks list items and equality', async () => {
    expect((await imageAttribute.run(spec({ attribute: 'exposed-ports', includes: '80/tcp' }), clients(engine))).status).toBe('pass');
    expect((await imageAttribute.run(spec({ attribute: 'cmd', equals: 'nginx -g daemon off;' }), clients(engine))).status).toBe('pass');
    expect((await imageAttribute.run(spec({ attribute: 'architecture', equals: 'arm64' }), clients(engine))).status).toBe('fail');
  });
  it('rejects a definition without any expectation', () => {
    const result = ProbeSchema.safeParse({ kind: 'image-attribute', ref: 'nginx:alpine', attribute: 'size' });
    expect(result.success).toBe(false);
  });
  it('fails when the compared image is missing', async () => {
    const result = await imageAttribute.run(spec({ attribute: 'size', lessThanImage: 'nginx:1.25' }), clients(engine));
    expect(result.status).toBe('fail');
    expect(result.actual).toBe('nginx:1.25 absent');
  });
});

describe('image-attribute fact: size', () => {
  const spec = { kind: 'image-attribute' as const, ref: 'nginx:alpine', attribute: 'size' as const };
  it('is docker inspect\'s Size; on the containerd store docker images\'s figure is right too', async () => {
    const images = { 'nginx:alpine': { Size: 10_000_000 } };
    expect(await imageAttributeFact.read(spec, clients(fakeEngine(images)))).toEqual({ value: 10_000_000 });
    const content = Math.round(10_000_000 * CONTENT_SHARE);
    expect(await imageAttributeFact.read(spec, clients(fakeEngine(images, {}, '29-containerd')))).toEqual({ value: content, synonyms: [String(10_000_000 + content)] });
  });
});
