import type { EngineAddress } from './address.js';
import type { EngineEvent } from './events.js';
// The engine as probes see it: a narrow interface, so probes stay pure logic and unit tests can pass a fake.
// Field names follow the Engine API (GET /images/{name}/json, /history, /containers/{id}/json).

export interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: string;
  Size: number;
  Architecture: string;
  Os: string;
  Variant?: string;
  Comment?: string;
  /** The image a commit or a legacy build step was made on (an ID); empty or absent otherwise. */
  Parent?: string;
  Config?: {
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    ExposedPorts?: Record<string, object> | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    User?: string;
    /** The image a container was started from: a name after `docker commit`, a parent ID after a legacy build. */
    Image?: string;
  } | null;
  RootFS?: { Type: string; Layers?: string[] };
  /** API 1.48+: what the ID names (an image manifest, or on the containerd store often an index). */
  Descriptor?: Descriptor;
  /**
   * API 1.48+, containerd image store: one entry per manifest of the index the image names (each platform, and
   * each attestation), with whether its content is on the engine. Absent on the classic store.
   */
  Manifests?: ManifestSummary[] | null;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

/** One manifest of a containerd image (GET /images/{name}/json?manifests=1, API 1.48+). */
export interface ManifestSummary {
  ID: string;
  Descriptor: Descriptor;
  /** Its content is on the engine (a platform pulled, not only listed by the index). */
  Available: boolean;
  /** `image` for a platform, `attestation` for buildx's provenance and SBOM manifests, `unknown` otherwise. */
  Kind: 'image' | 'attestation' | 'unknown';
  Size?: { Content?: number; Total?: number };
  ImageData?: { Platform: { os: string; architecture: string; variant?: string }; Size?: { Unpacked?: number } };
}

export interface HistoryEntry {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface ImageSummary {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: number;
  Size: number;
  Labels: Record<string, string> | null;
}

export interface ContainerInspect {
  Id: string;
  Name: string;
  Image: string;
  Config: { Image: string; Env?: string[] | null; Labels?: Record<string, string> | null };
  State: { Status: string; Running: boolean };
  HostConfig: {
    RestartPolicy?: { Name: string };
    /** bridge, host, none, container:<id> or a user network's name. */
    NetworkMode?: string;
    PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
    Binds?: string[] | null;
  };
  Mounts: Array<{ Type: string; Name?: string; Source: string; Destination: string; RW: boolean }>;
}

/** One row of GET /containers/json?all=1: every container, stopped ones included. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  State: string;
  Labels: Record<string, string> | null;
}

/** GET /system/df, the part `docker system df` reads for images. */
export interface DiskUsage {
  LayersSize: number;
  Images: Array<{ Id: string; RepoTags: string[] | null; Size: number; SharedSize: number; Containers: number }>;
}

/**
 * Where images live: the classic store (graph drivers: IDs are config digests, RepoDigests record pulls and pushes)
 * or the containerd image store (default of fresh Engine 29 and Docker Desktop installs: IDs are manifest or
 * index digests, RepoDigests are made up from the names). See src/engine/store.ts.
 */
export type ImageStore = 'classic' | 'containerd';

export interface EngineVersion {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  /** How the engine stores images (GET /info DriverStatus); 'classic' when it does not say. */
  store: ImageStore;
}

/** A file read out of an image without running it. */
/** `mode`: the permission bits (0o755), when the engine's archive gave them. */
export type ImageFile = { found: true; content: Buffer; size: number; mode?: number } | { found: false; reason: 'no-image' | 'no-file' | 'not-a-file' };

/** A file read out of a container, as its process sees it (mounts included). */
export type ContainerFile = { found: true; content: Buffer; size: number } | { found: false; reason: 'no-container' | 'no-file' | 'not-a-file' };

/** How a probe runs one command in an image (exercise 7). */
export interface ProbeRunOptions {
  /** os/architecture[/variant], as `docker run --platform` takes it. */
  platform?: string;
  /** Left out (with cmd): the image's own ENTRYPOINT and CMD run, as a plain `docker run` would. */
  entrypoint?: string[];
  cmd?: string[];
  timeoutMs?: number;
}

/** What the command did: its exit code (null when it never ran or was stopped) and its output. */
export interface ProbeRun {
  exitCode: number | null;
  output: string;
  timedOut?: boolean;
}

export interface EngineClient {
  /** Where the engine was reached, e.g. unix:///var/run/docker.sock. */
  readonly host: string;
  /** The whole address (TLS files included), for another connection of tp7's own to the same engine. */
  readonly address?: EngineAddress;
  version(): Promise<EngineVersion>;
  /**
   * The engine's own ID (`ID` of GET /info, what `docker info` shows): the same for as long as its data lives,
   * different on another engine. A report sent to a classroom board carries a salted hash of it.
   */
  engineId(): Promise<string>;
  /** Image metadata, or null when no such image exists. */
  inspectImage(ref: string): Promise<ImageInspect | null>;
  imageHistory(ref: string): Promise<HistoryEntry[] | null>;
  listImages(filters?: Record<string, string[]>): Promise<ImageSummary[]>;
  inspectContainer(nameOrId: string): Promise<ContainerInspect | null>;
  /** Every container (running or not) matching the filters, as `docker ps -a --filter` reads them. */
  listContainers(filters?: Record<string, string[]>): Promise<ContainerSummary[]>;
  /** What `docker system df` is computed from. */
  diskUsage(): Promise<DiskUsage>;
  /**
   * Reads one file of an image without starting it (a created, never started, labelled container that is
   * removed right after). At most maxBytes of content are kept.
   */
  readImageFile(ref: string, path: string, maxBytes?: number): Promise<ImageFile>;
  /**
   * Reads one file of a container as it sees it, bind mounts included (GET /containers/{id}/archive: no exec,
   * the container may be stopped). At most maxBytes of content are kept.
   */
  readContainerFile(name: string, path: string, maxBytes?: number): Promise<ContainerFile>;
  /**
   * The last `tailLines` lines a container wrote, stdout and stderr (`docker logs --tail`), at most `maxBytes` of
   * them; null when there is no such container.
   */
  containerLogs(name: string, tailLines: number, maxBytes: number): Promise<string | null>;
  /**
   * A short string that stays the same while one path of a container is unchanged and changes when it may have
   * changed (its size, mode or modification time), asked without reading the file; null when the container or
   * the path is missing. Lets a reading of the file be kept between tp7 processes.
   */
  containerFileStamp(name: string, path: string): Promise<string | null>;
  /**
   * Makes a throwaway image FROM scratch holding one file per given size, one layer each, labelled as tp7's probe
   * resource (to judge a script on an image it could not foresee). The caller removes it with removeProbeImage.
   */
  createProbeImage(tag: string, fileSizes: readonly number[]): Promise<void>;
  /** Removes an image tp7 created for a probe; an image without the probe label is left alone. */
  removeProbeImage(tag: string): Promise<void>;
  /**
   * Creates a labelled container of `image` that is never started (a stopped user of the image, for judging a
   * script on inputs it could not foresee); returns its name. The caller removes it with removeProbeContainer.
   */
  createProbeContainer(image: string): Promise<string>;
  /** Removes a container tp7 created for a probe; a container without the probe label is left alone. */
  removeProbeContainer(name: string): Promise<void>;
  /** The image as `docker save` writes it (GET /images/{name}/get), as a stream; null when it does not exist. */
  saveImage(ref: string): Promise<NodeJS.ReadableStream | null>;
  /**
   * Calls `listener` on every engine event (image pulled, tagged, container started...) until the returned
   * function is called. The event is that of GET /events; a listener called without one must assume anything
   * may have changed. Subscribe before the student acts: the engine keeps only its last events.
   */
  onEvents(listener: (event?: EngineEvent) => void): Promise<() => void>;
  /** The registry mirrors the engine pulls Docker Hub images through (`docker info`), e.g. http://127.0.0.1:5001/. */
  registryMirrors?(): Promise<string[]>;
  /** Pulls an image (a tag or repo@digest), for one platform when given. Changes the engine: callers undo it. */
  pullImage?(ref: string, platform?: string): Promise<void>;
  /** Runs one command in a throwaway, labelled container of `ref`, removed afterwards. */
  runProbe?(ref: string, options: ProbeRunOptions): Promise<ProbeRun>;
  /** Removes one image reference (never forced: an image a container uses stays). */
  removeImage?(ref: string): Promise<void>;
}
