import type Docker from 'dockerode';
import { CheckError, EngineUnreachableError, oneLine } from '../errors.js';
import { both } from '../lab/lang.js';
import { explainSsh, SshError } from '../ssh/errors.js';
import { sshConnection } from '../ssh/connection.js';
import { dockerodeOptions, engineAddressFromEnv, type EngineAddress } from './address.js';
import { forwardedEngineSocket } from '../ssh/engine-socket.js';
import { subscribeEvents, type EngineEvent } from './events.js';
import { diskUsageOf } from './disk-usage.js';
import { containerFileStamp, readContainerFile, readImageFile, sweepProbeContainers } from './image-file.js';
import { demultiplexed, pullImage, runProbe } from './probe-run.js';
import type { ContainerFile, ContainerInspect, ContainerSummary, DiskUsage, EngineClient, EngineVersion, HistoryEntry, ImageFile, ImageInspect, ImageSummary, ProbeRun, ProbeRunOptions } from './types.js';
import { buildProbeImage, createProbeContainer, removeProbeContainer, removeProbeImage } from './probe-image.js';
import { storeOf, type EngineInfo } from './store.js';
import { memo } from '../memo.js';
import { MAX_ANSWER_BYTES } from './bounded-agent.js';
import { settings } from '../settings.js';

/** Idle timeout of one Engine API request: a hung engine becomes a one-line error, not a frozen terminal. */
const REQUEST_TIMEOUT_MS = (): number => settings().TP7_ENGINE_TIMEOUT_MS;

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNRESET', 'EPIPE']);

interface EngineError {
  statusCode?: number;
  code?: string;
  message?: string;
  reason?: string;
  /** The engine's JSON error body, when it sent one: {"message": "..."}. */
  json?: { message?: string } | null;
}

/** The engine's own words ("No such image: x", "conflict: ...") rather than docker-modem's generic reason. */
function engineMessage(error: unknown): string {
  const err = error as EngineError;
  const text = err?.json?.message ?? err?.reason ?? err?.message ?? String(error);
  return `${text}${err?.statusCode ? ` (HTTP ${err.statusCode})` : ''}`;
}

/** One failed call, the engine's own words quoted. */
const engineFailure = (words: string) => new CheckError(both(`le moteur a répondu « ${words} »`, `engine: ${words}`));

/** An engine that answers nonsense gets a clear error rather than a wrong verdict on the student's work. */
function checkImageShape(ref: string, raw: unknown): ImageInspect {
  const image = raw as ImageInspect;
  if (typeof image?.Id !== 'string' || typeof image.Size !== 'number' || typeof image.Architecture !== 'string') {
    throw new Error(`the engine answered nonsense about ${ref} (no Id, Size or Architecture)`);
  }
  return image;
}

function isNotFound(error: unknown): boolean {
  return (error as EngineError)?.statusCode === 404;
}

const silentFor = (ms: number) => both(`pas de réponse en ${ms / 1000} s`, `no answer within ${ms / 1000} s`);

/**
 * GET `path` with a query, 404 as an error with statusCode (as dockerode's own calls): several of dockerode's
 * methods (image inspect, history, save) send no query, and the query is how a platform or the manifests are asked.
 */
function get<T>(docker: Docker, path: string, query: Record<string, string>, isStream = false): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // docker-modem adds the query only to a path that has a '?'.
    docker.modem.dial({ path: `${path}?`, method: 'GET', options: query, isStream, statusCodes: { 200: true, 404: 'not found', 500: 'server error' } }, (error: unknown, data: unknown) => (error ? reject(error) : resolve(data as T)));
  });
}

/** Connection-level failures mean "no engine here"; everything else is a failure of one call. */
export function explainConnectionError(host: string, error: unknown, elapsedMs = 0): EngineUnreachableError | undefined {
  const err = error as EngineError;
  if (error instanceof SshError) return new EngineUnreachableError(host, explainSsh(error, host));
  // An answer cut by its bounds (bounded-agent.ts): what sends it is no engine tp7 can grade.
  if (err?.code === 'ETP7_ENGINE_SILENT') return new EngineUnreachableError(host, silentFor(REQUEST_TIMEOUT_MS()));
  if (err?.code === 'ETP7_ENGINE_SLOW') return new EngineUnreachableError(host, both(`pas de réponse complète en ${REQUEST_TIMEOUT_MS() / 1000} s`, `no complete answer within ${REQUEST_TIMEOUT_MS() / 1000} s`));
  if (err?.code === 'ETP7_ENGINE_LARGE') return new EngineUnreachableError(host, both(`une réponse de plus de ${MAX_ANSWER_BYTES >> 20} Mio`, `an answer of more than ${MAX_ANSWER_BYTES >> 20} MiB`));
  // docker-modem ends a request that outlives its timeout by destroying the socket: it surfaces as ECONNRESET.
  if (err?.code === 'ECONNRESET' && elapsedMs >= REQUEST_TIMEOUT_MS() * 0.9) {
    return new EngineUnreachableError(host, silentFor(REQUEST_TIMEOUT_MS()));
  }
  if (err?.code && UNREACHABLE_CODES.has(err.code)) {
    return new EngineUnreachableError(host, err.code === 'EACCES' ? both('accès refusé au socket', 'permission denied on the socket') : err.code);
  }
  if (/timeout/i.test(err?.message ?? '')) return new EngineUnreachableError(host, silentFor(REQUEST_TIMEOUT_MS()));
  return undefined;
}

/** A dockerode connection at the engine's own API version, for this module and the engine's writers. */
export interface DockerConnection {
  host: string;
  docker: Docker;
  version: EngineVersion;
  /** How dockerode reaches this engine, for another client of the same engine (no timeout in it). */
  options: Docker.DockerOptions;
  /** GET /info, read once at connection. */
  info: EngineInfo;
}

/**
 * The oldest API tp7 speaks: Docker 19.03. Older engines lack what the checks read (platforms of pulls,
 * manifest lists through the engine) and left support long ago.
 */
const MINIMUM_API = '1.40';

function apiBelow(version: string, minimum: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [wantedMajor = 0, wantedMinor = 0] = minimum.split('.').map(Number);
  return major < wantedMajor || (major === wantedMajor && minor < wantedMinor);
}

function tooOld(host: string, version: string, api: string): EngineUnreachableError {
  return new EngineUnreachableError(host, both(
    `Docker ${version} (API ${api}) est trop ancien pour tp7, qui demande Docker 19.03 (API ${MINIMUM_API}) ou plus récent : mettez Docker à jour`,
    `Docker ${version} (API ${api}) is too old for tp7, which needs Docker 19.03 (API ${MINIMUM_API}) or newer: upgrade Docker`,
  ));
}

/**
 * Connects and negotiates the API version (the engine's own, read from GET /version). Without `address`, the
 * engine the docker CLI would use (DOCKER_HOST, the docker context), also put in DOCKER_HOST for the tools tp7
 * starts; with one, that engine alone, the environment untouched (several engines in one process).
 */
export async function openDocker(address?: EngineAddress): Promise<DockerConnection> {
  const target = address ?? engineAddressFromEnv();
  if (!address) process.env.DOCKER_HOST = target.host;
  const host = target.host;
  const { default: DockerCtor } = await import('dockerode');
  const started = Date.now();
  try {
    let options = dockerodeOptions(target);
    if (host.startsWith('ssh://')) {
      // Over SSH, authenticate first: a refused key or an unknown host is ssh's own one-line reason, within the limit.
      const connection = sshConnection(host);
      await connection.ready(REQUEST_TIMEOUT_MS());
      // Then the engine's socket forwarded through the master when the remote allows it (src/ssh/engine-socket.ts).
      const socketPath = await forwardedEngineSocket(connection, REQUEST_TIMEOUT_MS());
      if (socketPath) options = dockerodeOptions({ host: `unix://${socketPath}` });
    }
    const probe = new DockerCtor({ ...options, timeout: REQUEST_TIMEOUT_MS() });
    const raw = (await probe.version()) as unknown as Record<string, unknown>;
    if (typeof raw?.ApiVersion !== 'string' || typeof raw?.Version !== 'string') {
      throw new EngineUnreachableError(host, both("il a répondu, mais pas comme un moteur Docker", 'it answered, but not like a Docker engine'));
    }
    if (apiBelow(raw.ApiVersion, MINIMUM_API)) throw tooOld(host, raw.Version, raw.ApiVersion);
    const docker = new DockerCtor({ ...options, timeout: REQUEST_TIMEOUT_MS(), version: `v${raw.ApiVersion}` });
    // An engine whose /info fails (HTTP 500) still answers the checks: its store is then taken to be the classic one.
    const info = (await docker.info().catch((error: unknown) => {
      if ((error as EngineError)?.statusCode) return {};
      throw error;
    })) as EngineInfo;
    const version: EngineVersion = { version: raw.Version, apiVersion: raw.ApiVersion, os: String(raw.Os ?? ''), arch: String(raw.Arch ?? ''), store: storeOf(info) };
    return { host, docker, version, options, info };
  } catch (error) {
    if (error instanceof EngineUnreachableError) throw error;
    throw explainConnectionError(host, error, Date.now() - started) ?? new EngineUnreachableError(host, oneLine(error));
  }
}

/**
 * Connects to the engine and returns a client whose image and container lookups are cached for the life of
 * the run: checks run concurrently and several of them ask about the same image.
 */
export async function connectEngine(address?: EngineAddress): Promise<EngineClient> {
  const { host, docker, version, options, info } = await openDocker(address);
  const { default: DockerCtor } = await import('dockerode');
  // The event stream is quiet for as long as the student is: no idle timeout on it.
  const events = new DockerCtor({ ...options, version: `v${version.apiVersion}` });
  return new DockerodeEngine(host, docker, events, version, info, address ?? engineAddressFromEnv());
}

/**
 * `registry` for `/registry` (a name as the engine writes it): `//registry` in a path makes the engine answer a
 * redirect that docker-modem follows to a URL it cannot parse, throwing outside any promise.
 */
function bareName(nameOrId: string): string {
  return nameOrId.replace(/^\/+/, '');
}


/** Files read out of images, by image ID: enough for every file of every exercise across a few image versions. */
const filesOfImages = memo<ImageFile>(256);

class DockerodeEngine implements EngineClient {
  private readonly cache = new Map<string, Promise<unknown>>();
  /** Leftover probe containers of ended tp7 processes, swept once per engine (tp7 grade holds several). */
  private sweptOnce: Promise<void> | undefined;
  private manifestsByImage: Promise<Map<string, ImageInspect['Manifests']>> | undefined;

  constructor(
    readonly host: string,
    private readonly docker: Docker,
    private readonly events: Docker,
    private readonly engineVersion: EngineVersion,
    private readonly engineInfo: EngineInfo,
    readonly address: EngineAddress,
  ) {}

  async version(): Promise<EngineVersion> {
    return this.engineVersion;
  }

  inspectImage(ref: string): Promise<ImageInspect | null> {
    // The manifests of a containerd image (its platforms, what is on the engine) come only when asked for: from
    // inspect at API 1.48+, from the image list at 1.47 (Engine 27, Docker Desktop 4.34 to 4.38).
    const { store, apiVersion } = this.engineVersion;
    const inInspect = store === 'containerd' && !apiBelow(apiVersion, '1.48');
    const fromList = store === 'containerd' && !inInspect && !apiBelow(apiVersion, '1.47');
    return this.cached(`image:${ref}`, async () => {
      const image = checkImageShape(ref, await get(this.docker, `/images/${ref}/json`, inInspect ? { manifests: 'true' } : {}));
      if (fromList) image.Manifests = (await this.listedManifests()).get(image.Id) ?? null;
      return image;
    });
  }

  /** API 1.47: the manifests of every image, by ID, from one GET /images/json?manifests=1 per run. */
  private listedManifests(): Promise<Map<string, ImageInspect['Manifests']>> {
    this.manifestsByImage ??= this.guard(async () => {
      const list = await get<Array<{ Id: string; Manifests?: ImageInspect['Manifests'] }>>(this.docker, '/images/json', { all: 'true', manifests: 'true' });
      return new Map(list.map((summary) => [summary.Id, summary.Manifests ?? null]));
    });
    return this.manifestsByImage;
  }

  imageHistory(ref: string): Promise<HistoryEntry[] | null> {
    return this.cached(`history:${ref}`, () => this.docker.getImage(ref).history() as Promise<HistoryEntry[]>);
  }

  listImages(filters?: Record<string, string[]>): Promise<ImageSummary[]> {
    const key = `images:${JSON.stringify(filters ?? {})}`;
    return this.cached(key, () => this.docker.listImages(filters ? { filters } : {}) as unknown as Promise<ImageSummary[]>) as Promise<ImageSummary[]>;
  }

  inspectContainer(nameOrId: string): Promise<ContainerInspect | null> {
    const name = bareName(nameOrId);
    return this.cached(`container:${name}`, () => this.docker.getContainer(name).inspect() as unknown as Promise<ContainerInspect>);
  }

  listContainers(filters?: Record<string, string[]>): Promise<ContainerSummary[]> {
    const key = `containers:${JSON.stringify(filters ?? {})}`;
    return this.cached(key, () => this.docker.listContainers({ all: true, ...(filters ? { filters } : {}) }) as unknown as Promise<ContainerSummary[]>) as Promise<ContainerSummary[]>;
  }

  diskUsage(): Promise<DiskUsage> {
    // Images only (API 1.42+), verbose: from API 1.52 the per-image rows are under ImageUsage, and only when asked.
    return this.cached('df', async () => diskUsageOf(await get(this.docker, '/system/df', { type: 'image', verbose: '1' }))) as Promise<DiskUsage>;
  }

  async readImageFile(ref: string, path: string, maxBytes?: number): Promise<ImageFile> {
    // Leftovers of a tp7 cut short (killed mid-read) are cleared once per process before making more.
    this.sweptOnce ??= sweepProbeContainers(this.docker).catch(() => undefined);
    const image = await this.inspectImage(ref);
    if (!image) return { found: false, reason: 'no-image' };
    // An image ID names content that never changes: a file read from it is read once per process, and a tag
    // moved meanwhile cannot make the probe read another image than the one inspected.
    return this.guard(() => filesOfImages(`${image.Id}\u0000${path}\u0000${maxBytes ?? ''}`, async () => {
      await this.sweptOnce;
      return readImageFile(this.docker, image.Id, path, maxBytes);
    }));
  }

  readContainerFile(nameOrId: string, path: string, maxBytes?: number): Promise<ContainerFile> {
    const name = bareName(nameOrId);
    return this.cached(`container-file:${name}:${path}:${maxBytes ?? ''}`, () => readContainerFile(this.docker, name, path, maxBytes)) as Promise<ContainerFile>;
  }

  containerLogs(nameOrId: string, tailLines: number, maxBytes: number): Promise<string | null> {
    const name = bareName(nameOrId);
    return this.cached(`container-logs:${name}:${tailLines}:${maxBytes}`, async () => {
      const container = await this.inspectContainer(name);
      if (!container) return null;
      const logs = (await this.docker.getContainer(name).logs({ stdout: true, stderr: true, follow: false, tail: tailLines })) as unknown as Buffer;
      // Without a terminal the two streams come in frames; with one, as they are.
      const tty = (container.Config as { Tty?: boolean }).Tty === true;
      const text = (Buffer.isBuffer(logs) ? (tty ? logs : demultiplexed(logs)) : Buffer.from(String(logs))).subarray(-maxBytes);
      return text.toString('utf8');
    });
  }

  containerFileStamp(nameOrId: string, path: string): Promise<string | null> {
    const name = bareName(nameOrId);
    return this.cached(`container-file-stamp:${name}:${path}`, () => containerFileStamp(this.docker, name, path));
  }

  createProbeImage(tag: string, fileSizes: readonly number[]): Promise<void> {
    const { os, arch } = this.engineVersion;
    return this.guard(() => buildProbeImage(this.docker, tag, fileSizes, { os: os || 'linux', architecture: arch || 'amd64' }));
  }

  removeProbeImage(tag: string): Promise<void> {
    return this.guard(() => removeProbeImage(this.docker, tag));
  }

  createProbeContainer(image: string): Promise<string> {
    return this.guard(() => createProbeContainer(this.docker, image));
  }

  removeProbeContainer(name: string): Promise<void> {
    return this.guard(() => removeProbeContainer(this.docker, name));
  }

  async saveImage(ref: string): Promise<NodeJS.ReadableStream | null> {
    // Not cached: a stream is read once. Existence first, so a missing image is null rather than a 404 mid-stream.
    const image = await this.inspectImage(ref);
    if (!image) return null;
    // The containerd store saves the engine's own platform unless told, and fails when that one was never pulled:
    // the platform inspect shows (the host's, else one that is there) is asked for by name (API 1.48+).
    if (this.engineVersion.store === 'containerd' && !apiBelow(this.engineVersion.apiVersion, '1.48')) {
      const platform = JSON.stringify({ os: image.Os, architecture: image.Architecture, ...(image.Variant ? { variant: image.Variant } : {}) });
      return this.guard(() => get<NodeJS.ReadableStream>(this.docker, `/images/${ref}/get`, { platform }, true));
    }
    return this.guard(() => this.docker.getImage(ref).get());
  }

  onEvents(listener: (event?: EngineEvent) => void): Promise<() => void> {
    return this.guard(() => subscribeEvents(this.events, listener));
  }

  async engineId(): Promise<string> {
    const id = (await this.info())?.ID;
    if (typeof id !== 'string' || !id) throw engineFailure('GET /info gave no engine ID');
    return id;
  }

  async registryMirrors(): Promise<string[]> {
    return (await this.info())?.RegistryConfig?.Mirrors ?? [];
  }

  /** GET /info, read at connection: the engine's ID and its registry mirrors. */
  private async info(): Promise<EngineInfo> {
    return this.engineInfo;
  }

  // Not cached: each call changes the engine or reads it after a change.
  pullImage(ref: string, platform?: string): Promise<void> {
    return this.guard(() => pullImage(this.docker, ref, platform));
  }

  runProbe(ref: string, options: ProbeRunOptions): Promise<ProbeRun> {
    this.sweptOnce ??= sweepProbeContainers(this.docker).catch(() => undefined);
    return this.guard(async () => {
      await this.sweptOnce;
      return runProbe(this.docker, ref, options);
    });
  }

  async removeImage(ref: string): Promise<void> {
    await this.guard(() => this.docker.getImage(ref).remove());
  }

  /** A lost connection becomes a one-line EngineUnreachableError; any other failure one short Error. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await call();
    } catch (error) {
      // A failure already said in both languages stays as it is.
      if (error instanceof CheckError) throw error;
      throw explainConnectionError(this.host, error, Date.now() - started) ?? engineFailure(engineMessage(error));
    }
  }

  /** One request per key per run; a 404 becomes null. */
  private cached<T>(key: string, call: () => Promise<T>): Promise<T | null> {
    let pending = this.cache.get(key) as Promise<T | null> | undefined;
    if (!pending) {
      pending = this.guard(() => call().catch((error: unknown) => {
        if (isNotFound(error)) return null;
        throw error;
      }));
      this.cache.set(key, pending);
    }
    return pending;
  }
}
