import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImageInspect } from '../../src/engine/types.js';
import { validateLab } from '../../src/lab/validate.js';
import { imagePulled } from '../../src/probes/image-pulled.js';
import { RegistryUnreachableError } from '../../src/registry/errors.js';
import type { RegistryClient } from '../../src/registry/types.js';
import { clients, fakeEngine, type FakeImage } from './fake-engine.js';
import { manifestRegistry } from './fake-manifests.js';

// ex1's "pulled" checks, as the lab file writes them, against the images Docker Hub publishes and the cheap fakes
// a student could make with `docker tag`.
const lab = validateLab(join(import.meta.dirname, '../../labs'));
const ex1 = lab.exercises.find((loaded) => loaded.exercise.id === 'ex1')!.exercise;
type Spec = Parameters<typeof imagePulled.run>[0];
const specOf = (id: string) => ex1.checks.find((check) => check.id === id)!.probe as Spec;

const id = (digit: string) => `sha256:${digit.repeat(64)}`;
const hub = (digit: string, version: string, release: string): Partial<ImageInspect> => ({
  Id: id(digit),
  RepoDigests: [`nginx@sha256:${digit.repeat(64)}`],
  Config: { Env: ['PATH=/usr/local/sbin:/usr/bin', `NGINX_VERSION=${version}`, 'NJS_VERSION=0.8.4', `PKG_RELEASE=${release}`] },
});
// Docker Hub today: mainline 1.29 is latest and alpine, 1.28 is stable, 1.25 stays at 1.25.5.
const REAL = {
  'nginx:1.25': hub('1', '1.25.5', '1~bookworm'),
  'nginx:stable': hub('2', '1.28.0', '1~bookworm'),
  'nginx:latest': hub('3', '1.29.3', '1~trixie'),
  'nginx:alpine': hub('4', '1.29.3', '1'),
};
// The stand-ins of scripts/fixtures.sh: Docker Hub in March 2024.
const STANDINS = {
  'nginx:1.25': hub('5', '1.25.4', '1~bookworm'),
  'nginx:latest': hub('5', '1.25.4', '1~bookworm'),
  'nginx:stable': hub('6', '1.24.0', '1~bookworm'),
  'nginx:alpine': hub('7', '1.25.4', '1'),
};

async function check(checkId: string, images: Record<string, Partial<ImageInspect>>) {
  return imagePulled.run(specOf(checkId), clients(fakeEngine(images)));
}

describe('image-pulled (ex1 pulled-* checks)', () => {
  it.each(['pulled-1.25', 'pulled-stable', 'pulled-latest', 'pulled-alpine'])('%s passes on the real Docker Hub images and on the stand-ins', async (checkId) => {
    expect((await check(checkId, REAL)).status).toBe('pass');
    expect((await check(checkId, STANDINS)).status).toBe('pass');
  });

  it.each([
    ['pulled-1.25', 'nginx:alpine', 'nginx:1.25 is the same image as nginx:alpine'],
    ['pulled-stable', 'nginx:alpine', 'nginx:stable is the same image as nginx:alpine'],
    ['pulled-stable', 'nginx:latest', 'nginx:stable is the same image as nginx:latest'],
  ])('%s fails on a retag of %s, saying it is only a second name', async (checkId, source, message) => {
    const ref = specOf(checkId).ref;
    for (const images of [REAL, STANDINS]) {
      const result = await check(checkId, { ...images, [ref]: images[source as keyof typeof images] });
      expect(result.status).toBe('fail');
      expect(result.message.en).toContain(message);
      expect(result.message.en).not.toMatch(/docker pull/);
    }
  });

  it('fails on a retag whose source was removed afterwards, by the version the image declares', async () => {
    const { 'nginx:alpine': alpine, ...rest } = REAL;
    const result = await check('pulled-1.25', { ...rest, 'nginx:1.25': alpine });
    expect(result.status).toBe('fail');
    expect(result.message.en).toBe(
      'nginx:1.25 declares NGINX_VERSION=1.29.3, whereas the image published under this tag announces a 1.25.x version: this name was put on another image.',
    );
    const stable = await check('pulled-stable', { 'nginx:stable': REAL['nginx:1.25'] });
    expect(stable.message.en).toContain("declares NGINX_VERSION=1.25.5, whereas the image published under this tag announces a version of nginx's stable line");
  });

  it('fails on the Alpine variant of the right version (nginx:1.25-alpine retagged as nginx:1.25)', async () => {
    const result = await check('pulled-1.25', { 'nginx:1.25': hub('8', '1.25.5', '1') });
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('declares PKG_RELEASE=1, whereas the image published under this tag announces a package of the Debian variant');
    const alpine = await check('pulled-alpine', { 'nginx:alpine': REAL['nginx:latest'] });
    expect(alpine.message.en).toContain('declares PKG_RELEASE=1~trixie');
  });

  it('fails on an image built locally or pulled from another repository, then named nginx:1.25', async () => {
    const built = await check('pulled-1.25', { 'nginx:1.25': { ...REAL['nginx:1.25'], RepoDigests: [] } });
    expect(built.status).toBe('fail');
    expect(built.message.en).toContain('nginx:1.25 exists but did not come from the nginx repository of a registry: it has no digest');
    const other = await check('pulled-1.25', { 'nginx:1.25': { ...REAL['nginx:1.25'], RepoDigests: [`bitnami/nginx@${id('9')}`] } });
    expect(other.message.en).toContain('its only digests belong to bitnami/nginx');
  });

  it('accepts a digest written with the registry and library/ prefix, and names a missing image', async () => {
    const prefixed = { ...REAL['nginx:1.25'], RepoDigests: [`docker.io/library/nginx@${id('1')}`] };
    expect((await check('pulled-1.25', { 'nginx:1.25': prefixed })).status).toBe('pass');
    const mirrored = { ...REAL['nginx:1.25'], RepoDigests: [`mirror.gcr.io/library/nginx@${id('1')}`] };
    expect((await check('pulled-1.25', { 'nginx:1.25': mirrored })).status).toBe('pass');
    const someonesCopy = { ...REAL['nginx:1.25'], RepoDigests: [`localhost:5000/nginx@${id('1')}`, `alice/nginx@${id('1')}`] };
    expect((await check('pulled-1.25', { 'nginx:1.25': someonesCopy })).message.en).toMatch(/its only digests belong to (localhost:5000\/nginx, alice\/nginx|alice\/nginx, localhost:5000\/nginx)\./);
    const missing = await check('pulled-1.25', { 'nginx:alpine': REAL['nginx:alpine'] });
    expect(missing.message.en).toBe('nginx:1.25 is not on your Docker engine (present: nginx:alpine).');
  });
});

// The containerd image store makes RepoDigests up from the names: what proves a pull there is that the image's
// ID, the digest its tag pointed to, is a manifest the repository publishes (asked of the engine's mirror here).
describe.each(['28-containerd', '29-containerd'] as const)('image-pulled on the containerd store (%s)', (profile) => {
  const mirror = manifestRegistry('127.0.0.1:5001');
  const published = mirror.pushImage('library/nginx', { architecture: 'amd64' }, 'alpine');
  const alpine = mirror.pushImage('library/alpine', { architecture: 'amd64', labels: { image: 'alpine' } }, '3.19');
  const lab: RegistryClient = { address: 'localhost:5000', request: async () => { throw new Error('the lab registry is not asked'); }, at: (address) => (address === 'http://127.0.0.1:5001' ? mirror.client : (undefined as never)) };
  const declares = { Config: { Env: ['NGINX_VERSION=1.25.4', 'PKG_RELEASE=1'] } };
  async function checkOn(images: Record<string, FakeImage>, online = true) {
    const engine = { ...fakeEngine(images, {}, profile), registryMirrors: async () => (online ? ['http://127.0.0.1:5001/'] : []) };
    return imagePulled.run(specOf('pulled-alpine'), { ...clients(engine), registry: online ? lab : { ...lab, hub: () => offline } });
  }
  const offline: RegistryClient = { address: 'registry-1.docker.io', request: async () => { throw new RegistryUnreachableError('registry-1.docker.io', 'ENOTFOUND'); } };

  it('passes on the pulled image, and on a loaded save of it (the same digest)', async () => {
    expect((await checkOn({ 'nginx:alpine': { Id: published.digest, ...declares } })).status).toBe('pass');
  });

  it('fails on a docker tag of another repository\'s image, naming it, though its RepoDigests name nginx', async () => {
    const images = { 'alpine:3.19': { Id: alpine.digest, ...declares }, 'nginx:alpine': { Id: alpine.digest, ...declares } };
    const engine = fakeEngine(images, {}, profile);
    expect((await engine.inspectImage('nginx:alpine'))?.RepoDigests).toContain(`nginx@${alpine.digest}`);
    const result = await checkOn(images);
    expect(result.status).toBe('fail');
    expect(result.message.en).toBe(`nginx:alpine exists but did not come from the nginx repository of a registry: 127.0.0.1:5001/library/nginx publishes no manifest ${alpine.digest.slice(7, 19)} (this image's ID), which is also named alpine:3.19 here. A name is not enough: the image published under this tag is.`);
    expect(result.message.fr).toContain("127.0.0.1:5001/library/nginx ne publie aucun manifeste");
  });

  it('fails on a local build that declares the right version', async () => {
    const result = await checkOn({ 'nginx:alpine': declares });
    expect([result.status, result.message.en]).toEqual(['fail', expect.stringContaining("(this image's ID): an image built locally or from another repository")]);
  });

  it('offline with no mirror: skipped, since nothing tells a pull from a local build; what the image declares still fails it', async () => {
    const skipped = await checkOn({ 'nginx:alpine': declares }, false);
    expect([skipped.status, skipped.message.en]).toEqual(['skip', expect.stringContaining('Cannot tell where nginx:alpine came from: its registry is out of reach')]);
    expect((await checkOn({ 'nginx:alpine': { Config: { Env: ['NGINX_VERSION=1.25.4', 'PKG_RELEASE=1~bookworm'] } } }, false)).status).toBe('fail');
  });
});
