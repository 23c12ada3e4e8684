import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import type { ContainerFile, ImageFile } from './types.js';

/** Marks the throwaway containers tp7 creates to read files, so they can be told apart from the student's. */
export const PROBE_LABEL = 'org.tp7-lab.probe';
const DEFAULT_MAX_BYTES = 1 << 20;

/** What a one-file tar holds: the file, or why there is none (no image or container question at this level). */
export type TarFile = { found: true; content: Buffer; size: number; mode?: number } | { found: false; reason: 'no-file' | 'not-a-file' };

/** Reads the first regular file of a tar stream (what GET /containers/{id}/archive returns for one file). */
export async function firstFile(tar: Readable, maxBytes: number): Promise<TarFile> {
  const { extract } = await import('tar-stream');
  const reader = extract();
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

/** Removes leftover containers carrying tp7's probe label, and only those: they are the tool's own. */
export async function sweepProbeContainers(docker: Docker): Promise<void> {
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${PROBE_LABEL}=true`] } });
  await Promise.all(leftovers.map((info) => docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined)));
}

export async function readImageFile(docker: Docker, ref: string, path: string, maxBytes = DEFAULT_MAX_BYTES): Promise<ImageFile> {
  let container: Docker.Container;
  try {
    // Never started: Entrypoint/Cmd only need to be valid for the create call.
    container = await docker.createContainer({ Image: ref, Entrypoint: ['/tp7-never-started'], Cmd: [], Labels: { [PROBE_LABEL]: 'true' }, NetworkDisabled: true });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return { found: false, reason: 'no-image' };
    throw error;
  }
  try {
    const tar = (await container.getArchive({ path })) as unknown as Readable;
    return await firstFile(tar, maxBytes);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return { found: false, reason: 'no-file' };
    throw error;
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
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
