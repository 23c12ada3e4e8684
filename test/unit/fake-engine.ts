import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ContainerFile, ContainerInspect, ContainerSummary, DiskUsage, EngineClient, EngineVersion, HistoryEntry, ImageFile, ImageInspect, ImageStore, ImageSummary, ManifestSummary } from '../../src/engine/types.js';
import type { ProbeClients } from '../../src/probes/types.js';
import { canonicalReference, familiarName, referenceOf, referenceOf as parseReference, type ImageReference as ParsedReference } from '../../src/reference.js';
import type { RegistryClient } from '../../src/registry/types.js';
import { legacySave, sha256 as archiveSha256, type Image as ArchiveImage } from '../fixtures/archives/build.js';
import type { FakeRegistry } from './fake-registry.js';

// One in-memory Docker engine for every unit test, answering like the real one, as the engine it emulates: a
// profile (FAKE_PROFILES) says which, Debian's 20.10 with the classic image store by default, Docker 28 classic,
// Docker 28 or 29 with the containerd image store, or 29 on an arm64 host (test/contract/engine.ts runs the same
// assertions against the fakes and the real engines):
// - an image ID is the sha256 of the image's config, so different content means a different ID and the same
//   content the same ID (a tag is a second name for one ID, never a copy);
// - `nginx`, `nginx:latest`, `library/nginx` and `docker.io/library/nginx:latest` name one image; an ID is found
//   whole, without `sha256:`, or by any unambiguous prefix; `nginx@sha256:…` by the repo digest a pull or a push
//   recorded; what the engine refuses ("invalid reference format") throws as the real client does;
// - listImages filters by reference the way the engine does (and then lists only the matching tags);
// - files, histories, saves and containers live with their image, so probes need no per-test patching;
// - on the containerd image store (as moby's daemon/containerd answers): an image ID is its manifest's digest (its
//   index's for a multi-platform image, whose `Manifests` say which platforms are there), RepoDigests are made up
//   from the names (`repo@<ID>` for each), inspect's Size counts the content while the list adds the unpacked
//   snapshots, and API 1.52+ leaves empty fields out.

/** What an emulated engine is: its version, API, image store and host platform. */
export interface FakeProfile {
  version: string;
  apiVersion: string;
  store: ImageStore;
  arch: string;
}

export const FAKE_PROFILES = {
  '20.10': { version: '20.10.24', apiVersion: '1.41', store: 'classic', arch: 'amd64' },
  '28-classic': { version: '28.5.2', apiVersion: '1.51', store: 'classic', arch: 'amd64' },
  '28-containerd': { version: '28.5.2', apiVersion: '1.51', store: 'containerd', arch: 'amd64' },
  '29-containerd': { version: '29.2.1', apiVersion: '1.53', store: 'containerd', arch: 'amd64' },
  '29-containerd-arm64': { version: '29.2.1', apiVersion: '1.53', store: 'containerd', arch: 'arm64' },
} as const satisfies Record<string, FakeProfile>;
export type FakeProfileName = keyof typeof FAKE_PROFILES;

/** On the containerd store, what inspect's Size counts of an image (its layers as stored, compressed). */
export const CONTENT_SHARE = 0.4;

export interface FakeImage extends Partial<ImageInspect> {
  /** Newest step first, as GET /images/{name}/history answers; made up from the layers when absent. */
  history?: HistoryEntry[];
  /** Files of the image's filesystem (absolute paths); a folder is any prefix of a path. */
  files?: Record<string, string | Buffer>;
  /** What GET /images/{name}/get streams (a `docker save` archive). */
  save?: Buffer;
  /**
   * Containerd store: the platforms of a multi-platform image (its ID is then the index's digest), each with
   * whether its content was pulled; the others' config fields are those given. Ignored on the classic store.
   */
  platforms?: Array<{ os?: string; architecture: string; variant?: string; available?: boolean; digest?: string }>;
}

export interface FakeContainer {
  /** The image reference the container was started from (Config.Image). */
  image: string;
  running?: boolean;
  status?: string;
  env?: string[];
  hostConfig?: ContainerInspect['HostConfig'];
  mounts?: ContainerInspect['Mounts'];
  /** Files as the container's process sees them, mounts included. */
  files?: Record<string, string | Buffer | null>;
  labels?: Record<string, string>;
  /** What it wrote, stdout and stderr (`docker logs`). */
  logs?: string;
}

interface StoredImage {
  inspect: ImageInspect;
  /** The config blob: its sha256 is the ID (unless a test pinned another ID). */
  config: Buffer;
  history?: HistoryEntry[];
  files: Map<string, Buffer>;
  save?: Buffer;
  /** Layer tars of a loaded image (what a push uploads). */
  layers?: Buffer[];
  /** Containerd store: a multi-platform image's platforms (see FakeImage). */
  platforms?: FakeImage['platforms'];
  /** Its layers are stored as they were loaded, uncompressed: its content weighs its Size. */
  uncompressed?: boolean;
  /** The inspect fields the test gave (the others are defaults). */
  given: Set<string>;
}

interface StoredContainer {
  id: string;
  name: string;
  spec: FakeContainer;
}

const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_CONFIG = { Env: [PATH], Cmd: ['sh'] };
const FAKE_ONLY = new Set(['Id', 'RepoTags', 'RepoDigests', 'history', 'files', 'save', 'platforms', 'Manifests']);

/** JSON with sorted keys: the same content always gives the same bytes, hence the same ID. */
function canonicalJson(value: unknown): string {
  if (Buffer.isBuffer(value)) return JSON.stringify(sha256(value));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The config blob of an image as docker build writes it (one diff_id and one history step per layer), plus what
 * else the test said of it: its sha256 is the image ID.
 */
function imageConfig(content: Partial<ImageInspect>, layers: string[], seed: string): Buffer {
  const created = content.Created ?? '2024-01-15T12:34:56Z';
  return Buffer.from(canonicalJson({
    architecture: content.Architecture ?? 'amd64', os: content.Os ?? 'linux', created, config: content.Config ?? DEFAULT_CONFIG,
    rootfs: { type: 'layers', diff_ids: layers }, history: layers.map((_, i) => ({ created, created_by: `step ${i + 1}` })), 'org.tp7-lab.fake': seed,
  }));
}

function parsedOrThrow(ref: string): ParsedReference {
  const parsed = parseReference(ref);
  // The real client turns the engine's HTTP 400 into this one-line error.
  if (!parsed) throw new Error(`engine: invalid reference format: ${ref} (HTTP 400)`);
  return parsed;
}

/** A shell-style pattern of the `reference` filter: `*` stops at a slash, as Go's path.Match. */
function globMatches(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${source}$`).test(text);
}

function fileResult(files: Map<string, Buffer | null>, path: string, maxBytes: number): { found: true; content: Buffer; size: number } | { found: false; reason: 'no-file' | 'not-a-file' } {
  const wanted = path.replace(/\/+$/, '') || '/';
  const content = files.get(wanted);
  if (content === null) return { found: false, reason: 'not-a-file' };
  if (content) return { found: true, content: content.subarray(0, maxBytes), size: content.length };
  const isFolder = [...files.keys()].some((file) => file.startsWith(wanted === '/' ? '/' : `${wanted}/`));
  return { found: false, reason: isFolder ? 'not-a-file' : 'no-file' };
}

export class FakeEngine implements EngineClient {
  readonly host = 'unix:///fake.sock';
  /** Every call, e.g. `saveImage app:1`: tests assert what a probe asked (or did not ask). */
  readonly calls: string[] = [];
  private readonly images = new Map<string, StoredImage>();
  /** Canonical `name:tag` and `name@digest` → image ID, as the engine's reference store. */
  private readonly references = new Map<string, string>();
  private readonly containers = new Map<string, StoredContainer>();
  private readonly listeners = new Set<() => void>();

  /** The engine's ID, as its version writes it (20.10: 12 groups of 4 base32 characters; 23+: a UUID); another fake, another ID. */
  readonly id: string;
  readonly profile: FakeProfile;

  constructor(options: { id?: string; profile?: FakeProfileName } = {}) {
    this.profile = FAKE_PROFILES[options.profile ?? '20.10'];
    this.id = options.id ?? (this.profile.version.startsWith('20.')
      ? Array.from({ length: 12 }, () => Array.from(randomBytes(4), (byte) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[byte % 32]).join('')).join(':')
      : randomUUID());
    // Methods bound to the instance: a test may spread the engine to override one method ({ ...engine, version }).
    for (const name of Object.getOwnPropertyNames(FakeEngine.prototype)) {
      const member = (this as unknown as Record<string, unknown>)[name];
      if (name !== 'constructor' && typeof member === 'function') (this as unknown as Record<string, unknown>)[name] = member.bind(this);
    }
  }

  /**
   * Stores an image (a build or a load) and names it with `refs`; returns its ID. Content that is already there
   * under the same ID gains the names only; a test may pin an `Id` (the containerd store's manifest digests).
   */
  add(image: FakeImage = {}, ...refs: string[]): string {
    const content = Object.fromEntries(Object.entries(image).filter(([key]) => !FAKE_ONLY.has(key)));
    const seed = canonicalJson({ ...content, files: image.files, history: image.history });
    const layers = image.RootFS?.Layers ?? [sha256(`layer of ${seed}`)];
    const config = imageConfig({ Architecture: this.profile.arch, ...content }, layers, seed);
    const id = image.Id ?? this.idOf(config, layers, image.platforms);
    const known = this.images.get(id);
    if (known) {
      this.merge(known, image);
    } else {
      const files = new Map(Object.entries(image.files ?? {}).map(([path, body]) => [path, Buffer.from(body)]));
      const size = image.Size ?? [...files.values()].reduce((sum, body) => sum + body.length, 1000);
      this.images.set(id, {
        inspect: {
          Created: '2024-01-15T12:34:56Z', Architecture: this.profile.arch, Os: 'linux', Config: structuredClone(DEFAULT_CONFIG),
          ...content, Id: id, Size: size, RootFS: { Type: 'layers', Layers: layers }, RepoTags: [], RepoDigests: [],
        } as ImageInspect,
        config,
        platforms: image.platforms,
        history: image.history,
        files,
        save: image.save,
        given: new Set(Object.keys(content)),
      });
    }
    for (const digest of image.RepoDigests ?? []) this.references.set(canonicalReference(parsedOrThrow(digest)), id);
    for (const ref of [...(image.RepoTags ?? []), ...refs]) this.references.set(canonicalReference(parsedOrThrow(ref)), id);
    this.emit();
    return id;
  }

  /**
   * `docker load` of an image built by test/fixtures/archives (layer tars and config): the classic store's ID is
   * the sha256 of that config, and saveImage streams it back as docker save does.
   */
  async load(image: ArchiveImage, ...refs: string[]): Promise<string> {
    const config = JSON.parse(image.config.toString()) as { architecture: string; os: string; created?: string; config?: ImageInspect['Config'] };
    // The classic store names it by its config; the containerd store by the manifest it writes for it (and pushes).
    const id = this.containerd ? sha256(ociManifest(image.config, image.layers)) : archiveSha256(image.config);
    this.images.set(id, {
      inspect: {
        Id: id, Created: config.created ?? '2024-01-15T12:34:56Z', Architecture: config.architecture, Os: config.os, Config: config.config ?? {},
        Size: image.layers.reduce((sum, layer) => sum + layer.length, 0), RootFS: { Type: 'layers', Layers: image.layers.map(archiveSha256) },
      },
      config: image.config,
      files: new Map(),
      save: await legacySave(image),
      layers: image.layers,
      uncompressed: true,
      given: new Set(['Created', 'Architecture', 'Os', 'Config', 'Size', 'RootFS']),
    });
    for (const ref of [...image.repoTags, ...refs]) this.references.set(canonicalReference(parsedOrThrow(ref)), id);
    this.emit();
    return id;
  }

  /** `docker pull ref`: the image, named by its tag and by the repo digest of its manifest. */
  pull(ref: string, image: FakeImage = {}): { id: string; digest: string } {
    const parsed = parsedOrThrow(ref);
    // Without content given, a pulled image is made from its name: two names, two images.
    const id = this.add({ Config: { Labels: { 'org.tp7-lab.pulled-as': canonicalReference(parsed) }, Cmd: ['sh'] }, ...image }, ref);
    // The classic store records the manifest's digest; the containerd store records nothing (that digest is the ID,
    // and `repo@ID` finds the image through its names: see resolve).
    if (this.containerd) return { id, digest: id };
    const digest = sha256(canonicalJson({ schemaVersion: 2, config: this.images.get(id)!.inspect.Id, layers: this.images.get(id)!.inspect.RootFS!.Layers }));
    this.references.set(canonicalReference({ ...parsed, tag: undefined, digest }), id);
    return { id, digest };
  }

  /**
   * `docker push ref` to a fake registry (ref names it, e.g. localhost:5000/nginx:old): the config and one
   * blob per layer, then a schema2 manifest; the engine records the repo digest, as docker push does.
   */
  async push(ref: string, registry: FakeRegistry): Promise<string> {
    const parsed = parsedOrThrow(ref);
    const id = this.resolve(ref);
    if (!id || parsed.registry !== registry.address) throw new Error(`fake engine: cannot push ${ref} to ${registry.address}`);
    const image = this.images.get(id)!;
    const layers = image.layers ?? layerBlobs(image.inspect.RootFS?.Layers ?? []);
    if (this.containerd) {
      // The manifest it holds goes as it is: its digest is the image ID, and nothing is recorded.
      registry.pushBlob(parsed.path, image.config);
      for (const layer of layers) registry.pushBlob(parsed.path, layer);
      return registry.pushManifest(parsed.path, parsed.tag ?? 'latest', 'application/vnd.oci.image.manifest.v1+json', ociManifest(image.config, layers));
    }
    const digest = registry.pushImage(parsed.path, parsed.tag ?? 'latest', image.config, layers, image.inspect.Id);
    this.references.set(canonicalReference({ ...parsed, tag: undefined, digest }), id);
    this.emit();
    return digest;
  }

  /**
   * `docker build -t tag` of `FROM base` plus `files` (one more layer; the base's files stay visible). The image
   * the tag named before stays, dangling, unless BuildKit built on the containerd store (the default of a modern
   * install: `builder` follows the profile), where it goes with its last name.
   */
  build(tag: string, base: string, files: Record<string, string | Buffer>, more: FakeImage = {}, builder: 'classic' | 'buildkit' = this.profile.version.startsWith('20.') ? 'classic' : 'buildkit'): string {
    const before = this.references.get(canonicalReference(parsedOrThrow(tag)));
    const built = this.buildOn(tag, base, files, more);
    if (before && before !== built && builder === 'buildkit' && this.containerd && !this.namesOf(before).tags.length) this.forget(before);
    return built;
  }

  private buildOn(tag: string, base: string, files: Record<string, string | Buffer>, more: FakeImage): string {
    const id = this.resolve(base);
    if (!id) throw new Error(`fake engine: no such image: ${base}`);
    const parent = this.images.get(id)!;
    const { Architecture, Os, Variant, Config } = parent.inspect;
    const layers = [...(parent.inspect.RootFS?.Layers ?? []), sha256(canonicalJson(files))];
    const inherited = Object.fromEntries(parent.files);
    const size = parent.inspect.Size + Object.values(files).reduce((sum, body) => sum + Buffer.from(body).length, 0);
    return this.add({ Architecture, Os, Variant, Config, Created: new Date(Date.parse(parent.inspect.Created) + 1000).toISOString(), Size: size, RootFS: { Type: 'layers', Layers: layers }, files: { ...inherited, ...files }, ...more }, tag);
  }

  /** `docker tag source target`. */
  tag(source: string, target: string): void {
    const id = this.resolve(source);
    if (!id) throw new Error(`fake engine: no such image: ${source}`);
    this.references.set(canonicalReference(parsedOrThrow(target)), id);
    this.emit();
  }

  /** `docker rmi ref` of a name: the name goes; the image goes with its last name. */
  untag(ref: string): void {
    // `docker rmi <ID>` of an image left with no name (a dangling one): the image goes.
    if (/^sha256:[a-f0-9]{64}$/.test(ref) && this.images.has(ref) && !this.namesOf(ref).tags.length) {
      this.forget(ref);
      this.emit();
      return;
    }
    const key = canonicalReference(parsedOrThrow(ref));
    const id = this.references.get(key);
    if (!id) throw new Error(`fake engine: no such image: ${ref}`);
    this.references.delete(key);
    if (![...this.references.entries()].some(([name, target]) => target === id && !name.includes('@'))) this.forget(id);
    this.emit();
  }

  /** `docker create --name name image` (running unless told otherwise). */
  addContainer(name: string, container: FakeContainer): string {
    const id = sha256(`${name} ${container.image}`).slice(7);
    this.containers.set(name, { id, name, spec: container });
    this.emit();
    return id;
  }

  async version(): Promise<EngineVersion> {
    this.calls.push('version');
    const { version, apiVersion, store, arch } = this.profile;
    return { version, apiVersion, os: 'linux', arch, store };
  }

  async engineId(): Promise<string> {
    this.calls.push('engineId');
    return this.id;
  }

  async inspectImage(ref: string): Promise<ImageInspect | null> {
    this.calls.push(`inspectImage ${ref}`);
    const id = this.resolve(ref);
    return id ? this.inspectById(id) : null;
  }

  async imageHistory(ref: string): Promise<HistoryEntry[] | null> {
    this.calls.push(`imageHistory ${ref}`);
    const id = this.resolve(ref);
    if (!id) return null;
    const image = this.images.get(id)!;
    if (image.history) return structuredClone(image.history);
    // What the engine shows for a pulled image: one step per layer, only the newest carries the ID and tags.
    const created = Math.floor(Date.parse(image.inspect.Created) / 1000);
    const layers = image.inspect.RootFS?.Layers ?? [];
    return layers.map((_, i) => ({
      Id: i === 0 ? id : '<missing>', Created: created, CreatedBy: `/bin/sh -c #(nop) step ${layers.length - i}`,
      Tags: i === 0 ? this.namesOf(id).tags : null, Size: i === 0 ? image.inspect.Size : 0, Comment: '',
    }));
  }

  async listImages(filters: Record<string, string[]> = {}): Promise<ImageSummary[]> {
    this.calls.push(`listImages ${JSON.stringify(filters)}`);
    const patterns = filters.reference ?? [];
    const matches = (ref: string) => {
      const parsed = parseReference(ref)!;
      return !patterns.length || patterns.some((pattern) => globMatches(pattern, ref) || globMatches(pattern, familiarName(parsed)));
    };
    const summaries: ImageSummary[] = [];
    for (const [id, image] of this.images) {
      const names = this.namesOf(id);
      const tags = names.tags.filter(matches);
      const digests = names.digests.filter(matches);
      const dangling = !names.tags.length && !names.digests.length;
      if (patterns.length && !tags.length && !digests.length) continue;
      if (filters.dangling?.[0] === 'true' && !dangling) continue;
      if (filters.dangling?.[0] === 'false' && dangling) continue;
      const labels = image.inspect.Config?.Labels ?? null;
      if (filters.label?.some((wanted) => {
        const [key, value] = wanted.split('=');
        return !labels || !(key! in labels) || (value !== undefined && labels[key!] !== value);
      })) continue;
      // API 1.43 stopped writing <none>:<none> for a dangling image; the containerd store lists one digest at most.
      const none = apiBelow(this.profile.apiVersion, '1.43');
      summaries.push({
        Id: id,
        RepoTags: dangling ? (none ? ['<none>:<none>'] : []) : tags.length ? tags : null,
        RepoDigests: dangling ? (none ? ['<none>@<none>'] : []) : digests.length ? (this.containerd ? digests.slice(0, 1) : digests) : null,
        Created: Math.floor(Date.parse(image.inspect.Created) / 1000),
        Size: this.listedSize(image),
        Labels: labels,
      });
    }
    return summaries.sort((a, b) => b.Created - a.Created);
  }

  async inspectContainer(nameOrId: string): Promise<ContainerInspect | null> {
    this.calls.push(`inspectContainer ${nameOrId}`);
    const container = this.container(nameOrId);
    if (!container) return null;
    const { spec } = container;
    const running = spec.running ?? true;
    return {
      Id: container.id,
      Name: `/${container.name}`,
      Image: this.resolve(spec.image) ?? sha256(spec.image),
      Config: { Image: spec.image, Env: spec.env ?? [PATH], Labels: {} },
      State: { Status: spec.status ?? (running ? 'running' : 'exited'), Running: running },
      HostConfig: structuredClone(spec.hostConfig ?? { RestartPolicy: { Name: 'no' }, PortBindings: {}, Binds: null }),
      Mounts: structuredClone(spec.mounts ?? []),
    };
  }

  /** GET /containers/json?all=1 with the `ancestor` (an image ID or name) and `label` filters the probes use. */
  async listContainers(filters: Record<string, string[]> = {}): Promise<ContainerSummary[]> {
    this.calls.push(`listContainers ${JSON.stringify(filters)}`);
    const ancestors = (filters.ancestor ?? []).map((ref) => this.resolve(ref) ?? ref);
    const summaries: ContainerSummary[] = [];
    for (const container of this.containers.values()) {
      const imageId = this.resolve(container.spec.image) ?? sha256(container.spec.image);
      const labels = container.spec.labels ?? {};
      if (ancestors.length && !ancestors.includes(imageId)) continue;
      if (filters.label?.some((wanted) => {
        const [key, value] = wanted.split('=');
        return !(key! in labels) || (value !== undefined && labels[key!] !== value);
      })) continue;
      const running = container.spec.running ?? true;
      summaries.push({ Id: container.id, Names: [`/${container.name}`], Image: container.spec.image, ImageID: imageId, State: running ? 'running' : 'exited', Labels: labels });
    }
    return summaries;
  }

  /** GET /system/df as `docker system df` reads it: no layer shared between images, containers counted per image. */
  async diskUsage(): Promise<DiskUsage> {
    this.calls.push('diskUsage');
    const containers = await this.listContainers();
    const images = [...this.images.entries()].map(([id, image]) => ({
      Id: id,
      RepoTags: this.namesOf(id).tags,
      Size: this.listedSize(image),
      SharedSize: 0,
      Containers: containers.filter((container) => container.ImageID === id).length,
    }));
    return { LayersSize: images.reduce((total, image) => total + image.Size, 0), Images: images };
  }

  /** A labelled FROM-scratch image of one layer per file: its Size is their sum, as on the real engine. */
  async createProbeImage(tag: string, fileSizes: readonly number[]): Promise<void> {
    this.calls.push(`createProbeImage ${tag} ${fileSizes.join(',')}`);
    const layers = fileSizes.map((size, index) => sha256(`${tag} layer ${index} ${size}`));
    const id = this.add({ Size: fileSizes.reduce((sum, size) => sum + size, 0), RootFS: { Type: 'layers', Layers: layers }, Config: { Labels: { 'org.tp7-lab.probe': 'true' } } }, tag);
    // Loaded from tp7's own archive: layers as they were written, uncompressed.
    this.images.get(id)!.uncompressed = true;
  }

  async removeProbeImage(tag: string): Promise<void> {
    this.calls.push(`removeProbeImage ${tag}`);
    if (this.resolve(tag)) this.untag(tag);
  }

  /** A labelled container of `image`, created and never started, named tp7-check-<n>. */
  async createProbeContainer(image: string): Promise<string> {
    this.calls.push(`createProbeContainer ${image}`);
    if (!this.resolve(image)) throw new Error(`fake engine: no such image: ${image}`);
    const name = `tp7-check-${this.containers.size}`;
    this.addContainer(name, { image, running: false, labels: { 'org.tp7-lab.probe': 'true' } });
    return name;
  }

  async removeProbeContainer(name: string): Promise<void> {
    this.calls.push(`removeProbeContainer ${name}`);
    if (this.containers.get(name)?.spec.labels?.['org.tp7-lab.probe'] === 'true') this.containers.delete(name);
  }

  async readImageFile(ref: string, path: string, maxBytes = 1 << 20): Promise<ImageFile> {
    this.calls.push(`readImageFile ${ref} ${path}`);
    const id = this.resolve(ref);
    if (!id) return { found: false, reason: 'no-image' };
    return fileResult(this.images.get(id)!.files, path, maxBytes);
  }

  async readContainerFile(name: string, path: string, maxBytes = 1 << 20): Promise<ContainerFile> {
    this.calls.push(`readContainerFile ${name} ${path}`);
    const container = this.container(name);
    if (!container) return { found: false, reason: 'no-container' };
    return fileResult(this.filesSeenBy(container), path, maxBytes);
  }

  async containerLogs(name: string, tailLines: number, maxBytes: number): Promise<string | null> {
    this.calls.push(`containerLogs ${name}`);
    const container = this.container(name);
    if (!container) return null;
    return Buffer.from((container.spec.logs ?? '').split('\n').slice(-tailLines - 1).join('\n')).subarray(-maxBytes).toString('utf8');
  }

  async containerFileStamp(name: string, path: string): Promise<string | null> {
    this.calls.push(`containerFileStamp ${name} ${path}`);
    const container = this.container(name);
    if (!container) return null;
    const files = this.filesSeenBy(container);
    const wanted = path.replace(/\/+$/, '') || '/';
    const body = files.get(wanted);
    // The real stamp is size, mode and modification time: here the content stands for all three.
    if (body) return `file ${sha256(body)}`;
    const isFolder = body === null || [...files.keys()].some((file) => file.startsWith(wanted === '/' ? '/' : `${wanted}/`));
    return isFolder ? 'folder' : null;
  }

  /** A container's files as its process sees them: its image's, under what the test gave (its mounts). */
  private filesSeenBy(container: StoredContainer): Map<string, Buffer | null> {
    const id = this.resolve(container.spec.image);
    const files = new Map<string, Buffer | null>(id ? this.images.get(id)!.files : []);
    for (const [file, body] of Object.entries(container.spec.files ?? {})) files.set(file, body === null ? null : Buffer.from(body));
    return files;
  }

  async saveImage(ref: string): Promise<NodeJS.ReadableStream | null> {
    this.calls.push(`saveImage ${ref}`);
    const id = this.resolve(ref);
    if (!id) return null;
    const { save } = this.images.get(id)!;
    // A test that saves an image says what the archive holds: the fake does not invent layer tars.
    if (!save) throw new Error(`fake engine: give ${ref} a \`save\` to read it as docker save`);
    return Readable.from([save]);
  }

  async onEvents(listener: () => void): Promise<() => void> {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The image ID a reference names, as the engine resolves it (names first, then ID prefixes). */
  resolve(ref: string): string | undefined {
    const hex = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(ref)?.[1];
    if (hex?.length === 64) return this.images.has(`sha256:${hex}`) ? `sha256:${hex}` : undefined;
    const parsed = parsedOrThrow(ref);
    const named = this.references.get(canonicalReference(parsed));
    if (named) return named;
    // The containerd store finds `repo@digest` as any name of that repository whose target is that digest.
    if (this.containerd && parsed.digest) {
      const sameRepository = [...this.references].some(([name, target]) => target === parsed.digest && referenceOf(name)?.path === parsed.path && referenceOf(name)?.registry === parsed.registry);
      return sameRepository ? parsed.digest : undefined;
    }
    if (!hex) return undefined;
    // An ambiguous prefix finds nothing, as on the engine.
    const candidates = [...this.images.keys()].filter((id) => id.startsWith(`sha256:${hex}`));
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  private inspectById(id: string): ImageInspect {
    const image = this.images.get(id)!;
    const inspect = structuredClone(image.inspect);
    const names = this.namesOf(id);
    const answer: ImageInspect = { ...inspect, RepoTags: names.tags, RepoDigests: names.digests };
    if (this.containerd) {
      answer.Size = this.contentSize(image);
      if (!apiBelow(this.profile.apiVersion, '1.48')) answer.Manifests = this.manifestsOf(id, image);
      const shown = this.shownPlatform(image);
      if (shown) Object.assign(answer, { Os: shown.os ?? 'linux', Architecture: shown.architecture, Variant: shown.variant });
      if (!answer.Variant) delete answer.Variant;
    }
    if (!apiBelow(this.profile.apiVersion, '1.52')) omitEmptyFields(answer);
    return answer;
  }

  private get containerd(): boolean {
    return this.profile.store === 'containerd';
  }

  /** The classic store's ID is the config digest; the containerd store's the manifest's, or the index's. */
  private idOf(config: Buffer, layers: string[], platforms: FakeImage['platforms']): string {
    if (!this.containerd) return sha256(config);
    const manifest = sha256(ociManifest(config, layerBlobs(layers)));
    return platforms?.length ? sha256(canonicalJson({ mediaType: 'application/vnd.oci.image.index.v1+json', manifests: platforms.map((platform) => [manifest, platform]) })) : manifest;
  }

  /** What `docker images` (and `docker system df`) show: on containerd, content and snapshots of every platform there. */
  private listedSize(image: StoredImage): number {
    return this.containerd ? (this.contentSize(image) + image.inspect.Size) * this.pulledPlatforms(image) : image.inspect.Size;
  }

  /** How many platforms of a containerd image have their content on the engine (1 for a single-platform one). */
  private pulledPlatforms(image: StoredImage): number {
    return image.platforms ? image.platforms.filter((platform) => platform.available ?? true).length : 1;
  }

  /** What a containerd inspect's Size counts: the content of the platform shown. */
  private contentSize(image: StoredImage): number {
    return image.uncompressed ? image.inspect.Size : Math.round(image.inspect.Size * CONTENT_SHARE);
  }

  /** The platform a containerd inspect shows: the host's when it was pulled, else the first one pulled. */
  private shownPlatform(image: StoredImage): NonNullable<FakeImage['platforms']>[number] | undefined {
    const pulled = (image.platforms ?? []).filter((platform) => platform.available ?? true);
    return pulled.find((platform) => platform.architecture === this.profile.arch) ?? pulled[0];
  }

  /** `Manifests` of GET /images/{name}/json?manifests=1: one per platform (a single-platform image's is its ID). */
  private manifestsOf(id: string, image: StoredImage): ManifestSummary[] {
    const { Os, Architecture, Variant } = image.inspect;
    const platforms = image.platforms ?? [{ os: Os, architecture: Architecture, variant: Variant, available: true }];
    return platforms.map((platform) => {
      const ID = image.platforms ? platform.digest ?? sha256(`${id} ${canonicalJson(platform)}`) : id;
      const available = platform.available ?? true;
      const shape = { os: platform.os ?? 'linux', architecture: platform.architecture!, ...(platform.variant ? { variant: platform.variant } : {}) };
      const content = available ? this.contentSize(image) : 0;
      return {
        ID, Kind: 'image', Available: available,
        Descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: ID, size: 1000, platform: shape },
        Size: { Content: content, Total: available ? content + image.inspect.Size : 0 },
        ImageData: { Platform: shape, Size: { Unpacked: available ? image.inspect.Size : 0 } },
      };
    });
  }

  /** Familiar names, sorted as the engine lists them: `nginx:latest`, `localhost:5000/nginx@sha256:…`. */
  private namesOf(id: string): { tags: string[]; digests: string[] } {
    const tags: string[] = [];
    const digests = new Set<string>();
    for (const [ref, target] of this.references) {
      if (target !== id) continue;
      const parsed = parseReference(ref)!;
      if (parsed.digest) {
        // Classic: a digest a pull or a push recorded. Containerd: an image named by a pull by digest, listed
        // among the tags too (moby's collectRepoTagsAndDigests).
        digests.add(`${familiarName(parsed)}@${parsed.digest}`);
        if (this.containerd) tags.push(`${familiarName(parsed)}@${parsed.digest}`);
        continue;
      }
      tags.push(`${familiarName(parsed)}:${parsed.tag}`);
      if (this.containerd) digests.add(`${familiarName(parsed)}@${id}`);
    }
    return { tags: tags.sort(), digests: [...digests].sort() };
  }

  /** A pinned ID named again: fields given twice must agree (one ID is one content); new ones are added. */
  private merge(known: StoredImage, image: FakeImage): void {
    const inspect = known.inspect as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(image)) {
      if (FAKE_ONLY.has(key) || value === undefined) continue;
      if (known.given.has(key) && canonicalJson(inspect[key]) !== canonicalJson(value)) {
        throw new Error(`fake engine: ${known.inspect.Id} given two values for ${key}: one ID is one content`);
      }
      inspect[key] = structuredClone(value);
      known.given.add(key);
    }
    for (const [path, body] of Object.entries(image.files ?? {})) known.files.set(path, Buffer.from(body));
    known.history ??= image.history;
    known.save ??= image.save;
  }

  private forget(id: string): void {
    this.images.delete(id);
    for (const [ref, target] of [...this.references]) if (target === id) this.references.delete(ref);
  }

  private container(nameOrId: string): StoredContainer | undefined {
    const name = nameOrId.replace(/^\//, '');
    const byName = this.containers.get(name);
    if (byName) return byName;
    const byId = [...this.containers.values()].filter((container) => /^[a-f0-9]+$/.test(name) && container.id.startsWith(name));
    return byId.length === 1 ? byId[0] : undefined;
  }

  private emit(): void {
    for (const listener of this.listeners) queueMicrotask(listener);
  }
}

/** The layer blobs a fake image pushes: one made-up blob per diff_id. */
function layerBlobs(diffIds: readonly string[]): Buffer[] {
  return diffIds.map((layer) => Buffer.from(`layer ${layer}`));
}

/** The OCI manifest a containerd store holds for a config and its layer blobs (its digest is the image ID). */
function ociManifest(config: Buffer, layers: readonly Buffer[]): Buffer {
  const descriptor = (mediaType: string, bytes: Buffer) => ({ mediaType, digest: sha256(bytes), size: bytes.length });
  return Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: descriptor('application/vnd.oci.image.config.v1+json', config),
    layers: layers.map((layer) => descriptor('application/vnd.oci.image.layer.v1.tar+gzip', layer)),
  }, null, 3));
}

/** API version `version` is older than `minimum` (both "1.41" style). */
function apiBelow(version: string, minimum: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [wantedMajor = 0, wantedMinor = 0] = minimum.split('.').map(Number);
  return major < wantedMajor || (major === wantedMajor && minor < wantedMinor);
}

/** What API 1.52 leaves out of an image inspect when empty: Parent, Comment, DockerVersion, Author, and Config fields. */
function omitEmptyFields(image: ImageInspect): void {
  const record = image as unknown as Record<string, unknown>;
  for (const key of ['Parent', 'Comment', 'DockerVersion', 'Author']) if (record[key] === '' || record[key] === undefined) delete record[key];
  const config = image.Config as Record<string, unknown> | null | undefined;
  for (const [key, value] of Object.entries(config ?? {})) {
    if (value === null || value === '' || (Array.isArray(value) && !value.length) || (typeof value === 'object' && value && !Object.keys(value).length)) delete config![key];
  }
}

/**
 * An engine holding these images, each named by its key (same content or same pinned Id: one image, several
 * names), and these containers.
 */
export function fakeEngine(images: Record<string, FakeImage> = {}, containers: Record<string, FakeContainer> = {}, profile?: FakeProfileName): FakeEngine {
  const engine = new FakeEngine({ profile });
  for (const [ref, image] of Object.entries(images)) engine.add(image, ref);
  for (const [name, container] of Object.entries(containers)) engine.addContainer(name, container);
  return engine;
}

export const noRegistry: RegistryClient = {
  address: 'localhost:5000',
  request: async () => {
    throw new Error('no registry in unit tests');
  },
};

function unused<T>(what: string): T {
  return new Proxy({}, { get: () => { throw new Error(`${what} are not used by this test`); } }) as T;
}

export function clients(engine: EngineClient, more: Partial<ProbeClients> = {}): ProbeClients {
  return { engine, registry: noRegistry, workdir: '/nonexistent', files: unused('files'), processes: unused('processes'), ...more };
}

export const ID_A = `sha256:${'a'.repeat(64)}`;
export const ID_B = `sha256:${'b'.repeat(64)}`;
