import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { tarStream } from '../archive/tar.js';
import { isStopping, onStop } from '../stop.js';
import { isStale, OWNER_LABEL, ownerId, PROBE_LABEL } from './probe-owner.js';
import type { ContainerFile, ImageFile } from './types.js';

export { PROBE_LABEL } from './probe-owner.js';

const DEFAULT_MAX_BYTES = 1 << 20;

/** What a one-file tar holds: the file, or why there is none (no image or container question at this level). */
export type TarFile = { found: true; content: Buffer; size: number; mode?: number } | { found: false; reason: 'no-file' | 'not-a-file' };

/** Reads the first regular file of a tar stream (what GET /containers/{id}/archive returns for one file). */
export async function firstFile(tar: Readable, maxBytes: number): Promise<TarFile> {
  const reader = tarStream().extract();
  tar.pipe(reader);
  for await (const entry of reader) {
    if (entry.header.type !== 'file') {
      entry.resume();
      tar.unpipe(reader);
      tar.resume();
      return { found: false, reason: 'not-a-file' };
    }
    const chunks: Buffer[] = [];
    let kept = 0;
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      if (kept < maxBytes) chunks.push(chunk.subarray(0, maxBytes - kept));
      kept += chunk.length;
    }
    const mode = entry.header.mode === undefined ? {} : { mode: entry.header.mode & 0o7777 };
    // Let the rest of the archive (padding, end blocks) flow: a paused response holds its socket, and the
    // process, until the request times out.
    tar.unpipe(reader);
    tar.resume();
    return { found: true, content: Buffer.concat(chunks), size: entry.header.size ?? kept, ...mode };
  }
  return { found: false, reason: 'no-file' };
}

/**
 * Removes leftover probe containers whose owner has ended (a tp7 killed mid-read), and only those: another
 * tp7 running at the same time keeps its own.
 */
export async function sweepProbeContainers(docker: Docker): Promise<void> {
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${PROBE_LABEL}=true`] } });
  const stale = leftovers.filter((info) => isStale(info.Labels?.[OWNER_LABEL], info.Created * 1000));
  await Promise.all(stale.map((info) => docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined)));
}

/** Probe containers being created or read right now: removed first if the user stops tp7. */
const live = new Set<Promise<Docker.Container | undefined>>();
/** Set once the stop handler knows about this module (on the first probe container or script). */
let stopHook: (() => void) | undefined;

/** Removes every probe container of this process still there, and refuses new ones: tp7 is stopping. */
async function removeLiveProbes(): Promise<void> {
  await Promise.all([...live].map(async (pending) => (await pending)?.remove({ force: true, v: true }).catch(() => undefined)));
}

/**
 * Creates a container owned by this process (probe label and owner), tracked until `release` so that a tp7
 * stopped meanwhile removes it. `body` is the Engine API's create body; `query` its query (e.g. a platform).
 */
export async function createOwnedContainer(docker: Docker, body: Record<string, unknown>, query?: Record<string, string>): Promise<{ container: Docker.Container; release: () => void }> {
  if (isStopping()) throw new Error('tp7 is stopping');
  stopHook ??= onStop(removeLiveProbes);
  const labelled = { ...body, Labels: { ...(body.Labels as Record<string, string> | undefined), [PROBE_LABEL]: 'true', [OWNER_LABEL]: ownerId() } };
  const options = (query ? { _query: query, _body: labelled } : labelled) as unknown as Docker.ContainerCreateOptions;
  const creating = docker.createContainer(options);
  const tracked = creating.catch(() => undefined);
  live.add(tracked);
  try {
    const container = await creating;
    return { container, release: () => live.delete(tracked) };
  } catch (error) {
    live.delete(tracked);
    throw error;
  }
}

/** A created, never started, labelled container of `image` (named when `name` is given), tracked until `release`. */
export function createProbe(docker: Docker, image: string, name?: string): Promise<{ container: Docker.Container; release: () => void }> {
  // Never started: Entrypoint/Cmd only need to be valid for the create call.
  return createOwnedContainer(docker, { ...(name ? { name } : {}), Image: image, Entrypoint: ['/tp7-never-started'], Cmd: [], NetworkDisabled: true });
}

export async function readImageFile(docker: Docker, image: string, path: string, maxBytes = DEFAULT_MAX_BYTES): Promise<ImageFile> {
  let probe: Awaited<ReturnType<typeof createProbe>>;
  try {
    probe = await createProbe(docker, image);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return { found: false, reason: 'no-image' };
    throw error;
  }
  try {
    const tar = (await probe.container.getArchive({ path })) as unknown as Readable;
    return await firstFile(tar, maxBytes);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return { found: false, reason: 'no-file' };
    throw error;
  } finally {
    await probe.container.remove({ force: true, v: true }).catch(() => undefined);
    probe.release();
  }
}

/**
 * Reads one file as a container sees it, its mounts included (GET /containers/{id}/archive), without exec:
 * what a bind-mounted config file really holds for the process that reads it.
 */
export async function readContainerFile(docker: Docker, name: string, path: string, maxBytes = DEFAULT_MAX_BYTES): Promise<ContainerFile> {
  try {
    const tar = (await docker.getContainer(name).getArchive({ path })) as unknown as Readable;
    return await firstFile(tar, maxBytes);
  } catch (error) {
    const err = error as { statusCode?: number; json?: { message?: string } | null; message?: string };
    if (err.statusCode !== 404) throw error;
    // Both a missing container and a missing path answer 404, and docker-modem words every 404 of this call
    // "no such container": whether the container exists tells them apart.
    const exists = await docker.getContainer(name).inspect().then(() => true, (failure: { statusCode?: number }) => {
      if (failure?.statusCode === 404) return false;
      throw failure;
    });
    return { found: false, reason: exists ? 'no-file' : 'no-container' };
  }
}

/**
 * What the engine says of one path of a container without reading it (HEAD /containers/{id}/archive, no
 * archive made): size, mode, modification time to the nanosecond and link target, as one string that changes
 * when the file may have; null when the container or the path is missing. Asking costs the engine ~2 ms where a
 * read costs ~140 ms (engine 20.10 makes every archive in a process of its own).
 */
export async function containerFileStamp(docker: Docker, name: string, path: string): Promise<string | null> {
  try {
    const answer = (await docker.getContainer(name).infoArchive({ path })) as Readable & { headers?: Record<string, string | undefined> };
    // The answer comes as a stream (with no body): left paused, it holds its socket, and the process, until it times out.
    answer.resume();
    const stat = answer.headers?.['x-docker-container-path-stat'];
    if (!stat) return null;
    const { size, mode, mtime, linkTarget } = JSON.parse(Buffer.from(stat, 'base64').toString('utf8')) as Record<string, unknown>;
    return JSON.stringify([size, mode, mtime, linkTarget]);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw error;
  }
}
