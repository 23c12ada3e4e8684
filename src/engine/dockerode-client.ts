import type Docker from 'dockerode';
import { EngineUnreachableError, oneLine } from '../errors.js';
import { engineHost } from './host.js';
import { subscribeEvents } from './events.js';
import { readContainerFile, readImageFile, sweepProbeContainers } from './image-file.js';
import type { ContainerFile, ContainerInspect, ContainerSummary, DiskUsage, EngineClient, EngineVersion, HistoryEntry, ImageFile, ImageInspect, ImageSummary } from './types.js';

/** Idle timeout of one Engine API request: a hung engine becomes a one-line error, not a frozen terminal. */
const REQUEST_TIMEOUT_MS = Number(process.env.TP7_ENGINE_TIMEOUT_MS ?? 15_000);

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

/** Connection-level failures mean "no engine here"; everything else is a failure of one call. */
export function explainConnectionError(host: string, error: unknown, elapsedMs = 0): EngineUnreachableError | undefined {
  const err = error as EngineError;
  // docker-modem ends a request that outlives its timeout by destroying the socket: it surfaces as ECONNRESET.
  if (err?.code === 'ECONNRESET' && elapsedMs >= REQUEST_TIMEOUT_MS * 0.9) {
    return new EngineUnreachableError(host, `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
  }
  if (err?.code && UNREACHABLE_CODES.has(err.code)) return new EngineUnreachableError(host, err.code === 'EACCES' ? 'permission denied on the socket' : err.code);
  if (/timeout/i.test(err?.message ?? '')) return new EngineUnreachableError(host, `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
  return undefined;
}

/** A dockerode connection at the engine's own API version, for this module and the engine's writers. */
export interface DockerConnection {
  host: string;
  docker: Docker;
  version: EngineVersion;
}

/** Connects and negotiates the API version (the engine's own, read from GET /version). */
export async function openDocker(): Promise<DockerConnection> {
  const host = engineHost();
  // dockerode reads DOCKER_HOST itself; a host found through a docker context is handed over the same way.
  process.env.DOCKER_HOST = host;
  const { default: DockerCtor } = await import('dockerode');
  const started = Date.now();
  try {
    const probe = new DockerCtor({ timeout: REQUEST_TIMEOUT_MS });
    const raw = (await probe.version()) as unknown as Record<string, unknown>;
    if (typeof raw?.ApiVersion !== 'string' || typeof raw?.Version !== 'string') {
      throw new EngineUnreachableError(host, 'it answered, but not like a Docker engine');
    }
    const version = { version: raw.Version, apiVersion: raw.ApiVersion, os: String(raw.Os ?? ''), arch: String(raw.Arch ?? '') };
    return { host, docker: new DockerCtor({ timeout: REQUEST_TIMEOUT_MS, version: `v${version.apiVersion}` }), version };
  } catch (error) {
    if (error instanceof EngineUnreachableError) throw error;
    throw explainConnectionError(host, error, Date.now() - started) ?? new EngineUnreachableError(host, oneLine(error));
  }
}

/**
 * Connects to the engine and returns a client whose image and container lookups are cached for the life of
 * the run: checks run concurrently and several of them ask about the same image.
 */
export async function connectEngine(): Promise<EngineClient> {
  const { host, docker, version } = await openDocker();
  const { default: DockerCtor } = await import('dockerode');
  // The event stream is quiet for as long as the student is: no idle timeout on it.
  const events = new DockerCtor({ version: `v${version.apiVersion}` });
  return new DockerodeEngine(host, docker, events, version);
}

class DockerodeEngine implements EngineClient {
  private readonly cache = new Map<string, Promise<unknown>>();
  private swept: Promise<void> | undefined;

  constructor(
    readonly host: string,
    private readonly docker: Docker,
    private readonly events: Docker,
    private readonly engineVersion: EngineVersion,
  ) {}

  async version(): Promise<EngineVersion> {
    return this.engineVersion;
  }

  inspectImage(ref: string): Promise<ImageInspect | null> {
    return this.cached(`image:${ref}`, async () => checkImageShape(ref, await this.docker.getImage(ref).inspect()));
  }

  imageHistory(ref: string): Promise<HistoryEntry[] | null> {
    return this.cached(`history:${ref}`, () => this.docker.getImage(ref).history() as Promise<HistoryEntry[]>);
  }

  listImages(filters?: Record<string, string[]>): Promise<ImageSummary[]> {
    const key = `images:${JSON.stringify(filters ?? {})}`;
    return this.cached(key, () => this.docker.listImages(filters ? { filters } : {}) as unknown as Promise<ImageSummary[]>) as Promise<ImageSummary[]>;
  }

  inspectContainer(nameOrId: string): Promise<ContainerInspect | null> {
    return this.cached(`container:${nameOrId}`, () => this.docker.getContainer(nameOrId).inspect() as unknown as Promise<ContainerInspect>);
  }

  listContainers(filters?: Record<string, string[]>): Promise<ContainerSummary[]> {
    const key = `containers:${JSON.stringify(filters ?? {})}`;
    return this.cached(key, () => this.docker.listContainers({ all: true, ...(filters ? { filters } : {}) }) as unknown as Promise<ContainerSummary[]>) as Promise<ContainerSummary[]>;
  }

  diskUsage(): Promise<DiskUsage> {
    return this.cached('df', () => this.docker.df() as Promise<DiskUsage>) as Promise<DiskUsage>;
  }

  readImageFile(ref: string, path: string, maxBytes?: number): Promise<ImageFile> {
    const key = `file:${ref}:${path}:${maxBytes ?? ''}`;
    // Containers of an earlier run cut short (Ctrl+C mid-read) are ours: clear them once before making more.
    this.swept ??= sweepProbeContainers(this.docker);
    return this.cached(key, async () => {
      await this.swept;
      return readImageFile(this.docker, ref, path, maxBytes);
    }) as Promise<ImageFile>;
  }

  readContainerFile(name: string, path: string, maxBytes?: number): Promise<ContainerFile> {
    return this.cached(`container-file:${name}:${path}:${maxBytes ?? ''}`, () => readContainerFile(this.docker, name, path, maxBytes)) as Promise<ContainerFile>;
  }

  async saveImage(ref: string): Promise<NodeJS.ReadableStream | null> {
    // Not cached: a stream is read once. Existence first, so a missing image is null rather than a 404 mid-stream.
    if (!(await this.inspectImage(ref))) return null;
    return this.guard(() => this.docker.getImage(ref).get());
  }

  onEvents(listener: () => void): Promise<() => void> {
    return this.guard(() => subscribeEvents(this.events, listener));
  }

  /** A lost connection becomes a one-line EngineUnreachableError; any other failure one short Error. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await call();
    } catch (error) {
      throw explainConnectionError(this.host, error, Date.now() - started) ?? new Error(`engine: ${engineMessage(error)}`);
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
