import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineClient, ImageInspect } from '../../src/engine/types.js';

// The engine contract: what probes rely on the engine to answer, asserted the same way against the fake engine
// of the unit tests (test/unit/engine-contract.test.ts) and the real engine (test/integration/contract.test.ts).
// A fake that passes here answers like the real thing; a change of engine that breaks it shows up in CI.

/** What the contract does to an engine, done with docker commands on the real one and methods on the fake. */
export interface EngineWorld {
  /** A client that sees everything done so far (the real one caches answers for the life of a run). */
  engine(): Promise<EngineClient>;
  /** docker pull (from the mirror of stand-ins on the real side). */
  pull(ref: string): Promise<void>;
  tag(source: string, target: string): Promise<void>;
  /** docker rmi of one name. */
  untag(ref: string): Promise<void>;
  /** docker build -t tag of `FROM base` + one file. */
  build(tag: string, base: string, path: string, content: string): Promise<void>;
  /** docker create --name name image (never started). */
  create(name: string, image: string): Promise<void>;
  /** What `build` builds with: the classic builder (Debian's 20.10 CLI) or BuildKit (a modern install's default). */
  builder: 'classic' | 'buildkit';
  /** Removes what the contract made (names under tp7-contract), and nothing else. */
  cleanup(): Promise<void>;
}

const WEB = 'tp7-contract/web:1';
const PLAIN = 'tp7-contract/plain';
const BUILT = 'tp7-contract/built:1';
const BOX = 'tp7-contract-box';
/** An image of its own for a container (an image in use cannot be untagged) that sees FILE through it. */
const BOXED = 'tp7-contract/boxed:1';
const BUILT_BOX = 'tp7-contract-built-box';
const FILE = '/tp7/contract.txt';

async function present(engine: EngineClient, ref: string): Promise<ImageInspect> {
  const image = await engine.inspectImage(ref);
  if (!image) throw new Error(`${ref} should be on the engine`);
  return image;
}

export function engineContract(label: string, world: () => EngineWorld): void {
  describe(`engine contract: ${label}`, () => {
    const w = world();
    let engine: EngineClient;
    beforeAll(async () => {
      await w.cleanup();
      await w.pull('nginx:alpine');
      await w.pull('alpine:3.19');
      await w.tag('nginx:alpine', WEB);
      await w.tag('alpine:3.19', PLAIN);
      await w.build(BUILT, 'alpine:3.19', FILE, 'made by the contract\n');
      await w.create(BOX, 'nginx:alpine');
      await w.build(BOXED, 'alpine:3.19', FILE, 'seen by a container\n');
      await w.create(BUILT_BOX, BOXED);
      engine = await w.engine();
    });
    afterAll(() => w.cleanup());

    it('reads one image under every spelling of its reference, and a missing tag as :latest', async () => {
      const { Id } = await present(engine, 'nginx:alpine');
      for (const ref of ['docker.io/library/nginx:alpine', 'library/nginx:alpine', 'index.docker.io/library/nginx:alpine', 'docker.io/nginx:alpine', WEB]) {
        expect((await engine.inspectImage(ref))?.Id, ref).toBe(Id);
      }
      const plain = await present(engine, 'alpine:3.19');
      for (const ref of [PLAIN, `${PLAIN}:latest`, `docker.io/${PLAIN}:latest`]) expect((await engine.inspectImage(ref))?.Id, ref).toBe(plain.Id);
      expect(await engine.inspectImage('tp7-contract/web')).toBeNull();
    });

    it('gives distinct content distinct IDs, and a tag no new ID', async () => {
      const web = await present(engine, 'nginx:alpine');
      const alpine = await present(engine, 'alpine:3.19');
      const built = await present(engine, BUILT);
      expect(new Set([web.Id, alpine.Id, built.Id]).size).toBe(3);
      for (const id of [web.Id, alpine.Id, built.Id]) expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(web.RepoTags).toEqual(expect.arrayContaining(['nginx:alpine', WEB]));
      expect(alpine.RepoTags).toEqual(expect.arrayContaining(['alpine:3.19', `${PLAIN}:latest`]));
      // A build adds a layer on top of its base's.
      expect(built.RootFS?.Layers?.slice(0, alpine.RootFS?.Layers?.length)).toEqual(alpine.RootFS?.Layers);
      expect(built.RootFS?.Layers).toHaveLength((alpine.RootFS?.Layers?.length ?? 0) + 1);
    });

    it('finds an image by its ID: whole, bare, or by an unambiguous prefix', async () => {
      const { Id } = await present(engine, 'nginx:alpine');
      for (const ref of [Id, Id.slice(7), Id.slice(7, 19), `sha256:${Id.slice(7, 19)}`]) expect((await engine.inspectImage(ref))?.Id, ref).toBe(Id);
      const ids = (await engine.listImages()).map((image) => image.Id.slice(7));
      const unused = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'].map((c) => c.repeat(12)).find((prefix) => !ids.some((id) => id.startsWith(prefix)))!;
      expect(await engine.inspectImage(unused)).toBeNull();
      expect(await engine.inspectImage(`sha256:${unused}${'0'.repeat(52)}`)).toBeNull();
    });

    it('records the repo digest of a pull, and finds the image by it in that repository only', async () => {
      const web = await present(engine, 'nginx:alpine');
      const digests = (web.RepoDigests ?? []).filter((entry) => entry.startsWith('nginx@'));
      expect(digests).toHaveLength(1);
      expect(digests[0]).toMatch(/^nginx@sha256:[a-f0-9]{64}$/);
      const digest = digests[0]!.slice('nginx@'.length);
      expect((await engine.inspectImage(`nginx@${digest}`))?.Id).toBe(web.Id);
      expect((await engine.inspectImage(`docker.io/library/nginx@${digest}`))?.Id).toBe(web.Id);
      expect(await engine.inspectImage(`alpine@${digest}`)).toBeNull();
      // The classic store records digests of pulls and pushes only; the containerd store makes one up for every
      // name, from the digest the name points to (so a repo digest proves no pull there).
      const built = await present(engine, BUILT);
      const store = (await engine.version()).store;
      expect(built.RepoDigests ?? []).toEqual(store === 'containerd' ? [`tp7-contract/built@${built.Id}`] : []);
      if (store === 'containerd') expect(digest).toBe(web.Id);
    });

    it('answers as its image store does: sizes, the manifests of an image, its platform', async () => {
      const { store, arch } = await engine.version();
      expect(['classic', 'containerd']).toContain(store);
      const web = await present(engine, 'nginx:alpine');
      const listed = (await engine.listImages({ reference: ['nginx:alpine'] })).find((image) => image.Id === web.Id)!;
      // Pulled on this engine: the engine's own platform.
      expect(web.Architecture).toBe(arch);
      if (store === 'classic') {
        // One size for docker images and docker inspect; no manifests (the classic store keeps one platform).
        expect(listed.Size).toBe(web.Size);
        expect(web.Manifests ?? undefined).toBeUndefined();
      } else {
        // docker images adds the unpacked snapshots to the content docker inspect counts.
        expect(listed.Size).toBeGreaterThan(web.Size);
        const images = (web.Manifests ?? []).filter((manifest) => manifest.Kind === 'image' && manifest.Available);
        expect(images.map((manifest) => manifest.ImageData?.Platform.architecture)).toContain(arch);
        // A build holds one platform: the engine's (BuildKit adds an attestation beside it, which is no platform).
        const built = await present(engine, BUILT);
        const platforms = (built.Manifests ?? []).filter((manifest) => manifest.Kind === 'image');
        expect(platforms.map((manifest) => [manifest.Available, manifest.ImageData?.Platform.architecture])).toEqual([[true, arch]]);
      }
    });

    it("keeps a rebuilt tag's former image as a dangling one, but BuildKit on the containerd store lets it go", async () => {
      const tag = 'tp7-contract/rebuilt:1';
      await w.build(tag, 'alpine:3.19', FILE, 'first\n');
      const first = (await present(await w.engine(), tag)).Id;
      await w.build(tag, 'alpine:3.19', FILE, 'second\n');
      const after = await w.engine();
      const dangling = (await after.listImages({ dangling: ['true'] })).map((image) => image.Id);
      const gone = (await after.version()).store === 'containerd' && w.builder === 'buildkit';
      expect(dangling.includes(first)).toBe(!gone);
      if (!gone) await w.untag(first);
      await w.untag(tag);
    });

    it('names itself with one ID, the same from every client, in the form engines write it', async () => {
      // 20.10 writes its key's fingerprint (12 groups of 4 base32 characters); engines from 23.0 on, a UUID.
      const id = await engine.engineId();
      expect(id).toMatch(/^([A-Z2-7]{4}(:[A-Z2-7]{4}){11}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/);
      expect(await (await w.engine()).engineId()).toBe(id);
    });

    it('answers null for what is not there, and refuses a reference it cannot read', async () => {
      expect(await engine.inspectImage('tp7-contract/absent:1')).toBeNull();
      expect(await engine.imageHistory('tp7-contract/absent:1')).toBeNull();
      expect(await engine.saveImage('tp7-contract/absent:1')).toBeNull();
      expect(await engine.readImageFile('tp7-contract/absent:1', '/etc/os-release')).toEqual({ found: false, reason: 'no-image' });
      expect(await engine.inspectContainer('tp7-contract-absent')).toBeNull();
      expect(await engine.readContainerFile('tp7-contract-absent', '/etc/os-release')).toEqual({ found: false, reason: 'no-container' });
      await expect(engine.inspectImage('Tp7-Contract/UPPER:1')).rejects.toThrow(/invalid reference format/);
    });

    it('filters the image list by reference, listing only the matching names', async () => {
      const web = await present(engine, 'nginx:alpine');
      const filtered = await engine.listImages({ reference: ['tp7-contract/web'] });
      expect(filtered.map((image) => [image.Id, image.RepoTags])).toEqual([[web.Id, [WEB]]]);
      expect((await engine.listImages({ reference: ['tp7-contract/*'] })).flatMap((image) => image.RepoTags ?? []).sort()).toEqual([BOXED, BUILT, `${PLAIN}:latest`, WEB]);
      expect((await engine.listImages({ reference: ['nginx'] })).flatMap((image) => image.RepoTags ?? [])).toContain('nginx:alpine');
      const all = (await engine.listImages()).find((image) => image.Id === web.Id);
      expect(all?.RepoTags).toEqual(expect.arrayContaining(['nginx:alpine', WEB]));
    });

    it("reads a built image's files and history", async () => {
      const built = await present(engine, BUILT);
      const file = await engine.readImageFile(BUILT, FILE);
      expect(file).toMatchObject({ found: true, size: 21 });
      expect(file.found && file.content.toString()).toBe('made by the contract\n');
      expect(await engine.readImageFile(BUILT, '/tp7')).toEqual({ found: false, reason: 'not-a-file' });
      expect(await engine.readImageFile(BUILT, '/tp7/none.txt')).toEqual({ found: false, reason: 'no-file' });
      const truncated = await engine.readImageFile(BUILT, FILE, 4);
      expect(truncated.found && [truncated.content.toString(), truncated.size]).toEqual(['made', 21]);
      const history = (await engine.imageHistory(BUILT))!;
      const base = (await engine.imageHistory('alpine:3.19'))!;
      expect(history).toHaveLength(base.length + 1);
      expect(history[0]).toMatchObject({ Id: built.Id, Tags: [BUILT] });
    });

    it('finds a container by name, /name or ID prefix', async () => {
      const box = await engine.inspectContainer(BOX);
      const { Id } = await present(engine, 'nginx:alpine');
      expect(box).toMatchObject({ Name: `/${BOX}`, Image: Id, Config: { Image: 'nginx:alpine' }, State: { Running: false, Status: 'created' } });
      for (const ref of [`/${BOX}`, box!.Id, box!.Id.slice(0, 12)]) expect((await engine.inspectContainer(ref))?.Id, ref).toBe(box!.Id);
      for (const ref of [BOX, `/${BOX}`]) expect(await engine.readContainerFile(ref, '/tp7/none.txt'), ref).toEqual({ found: false, reason: 'no-file' });
    });

    it("reads a container's file through its image, and stamps it without reading it", async () => {
      const file = await engine.readContainerFile(BUILT_BOX, FILE);
      expect(file.found && file.content.toString()).toBe('seen by a container\n');
      const stamp = await engine.containerFileStamp(BUILT_BOX, FILE);
      expect(stamp).toEqual(expect.any(String));
      expect(await engine.containerFileStamp(`/${BUILT_BOX}`, FILE)).toBe(stamp);
      expect(await engine.containerFileStamp(BUILT_BOX, '/tp7')).not.toBe(stamp);
      expect(await engine.containerFileStamp(BUILT_BOX, '/tp7/none.txt')).toBeNull();
      expect(await engine.containerFileStamp('tp7-contract-absent', FILE)).toBeNull();
    });

    it('keeps an image under its other names when one is removed, and forgets it with its last', async () => {
      await w.untag(WEB);
      const after = await w.engine();
      expect(await after.inspectImage(WEB)).toBeNull();
      expect(await after.inspectImage('nginx:alpine')).not.toBeNull();
      await w.untag(BUILT);
      const gone = await w.engine();
      expect(await gone.inspectImage(BUILT)).toBeNull();
      expect((await gone.listImages({ reference: ['tp7-contract/*'] })).flatMap((image) => image.RepoTags ?? [])).toEqual([BOXED, `${PLAIN}:latest`]);
    });
  });
}
