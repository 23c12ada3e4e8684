// A file read out of an image, for probes. The image's ID names its content, so given `stored` (a student's
// check) what was read once is kept for the next tp7 process and not read again through a probe container,
// which costs the engine about 130 ms of CPU per file (it re-executes itself to write the archive).
import { createHash } from 'node:crypto';
import type { ImageFile, ImageInspect } from '../engine/types.js';
import type { ProbeClients } from './types.js';

type Missing = Extract<ImageFile, { found: false }>;

/** What a comparison of deliverables needs: size, permission bits and, when read whole, the content's sha256. */
export type FileFacts = { found: true; size: number; mode?: number; sha256?: string } | Missing;

type KeptFile = { found: true; base64: string; size: number; mode?: number } | Missing;

/** Longer contents read are not kept: the cache holds a lab's small pages and settings, not binaries. */
const KEEP_MAX_BYTES = 64 * 1024;

const modeOf = (file: { mode?: number }) => (file.mode === undefined ? {} : { mode: file.mode });

/**
 * What names an image's content on its engine: its ID and its layers (on the containerd store the ID may name
 * a multi-platform index, whose platform each engine chooses).
 */
export function imageContentKey(image: Pick<ImageInspect, 'Id' | 'RootFS'>): string {
  return JSON.stringify([image.Id, image.RootFS?.Layers ?? []]);
}

/**
 * Reads through `stored` under the image's content (read by ID: a tag moved meanwhile cannot put another
 * image's file there). An image gone between the inspect and the read is never kept: its ID can come back.
 */
async function keptByImage<T extends { found: boolean }>(clients: Pick<ProbeClients, 'engine' | 'stored'>, kind: string, ref: string, path: string, maxBytes: number, read: (id: string) => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T | undefined> {
  const { engine, stored } = clients;
  const image = stored && (await engine.inspectImage(ref));
  if (!stored || !image) return undefined;
  const present = (value: T) => value.found || (value as { reason?: string }).reason !== 'no-image';
  return stored.get(kind, JSON.stringify([imageContentKey(image), path, maxBytes]), () => read(image.Id), (value) => present(value) && keep(value));
}

export async function readImageFile(clients: Pick<ProbeClients, 'engine' | 'stored'>, ref: string, path: string, maxBytes: number): Promise<ImageFile> {
  const toKept = (file: ImageFile): KeptFile => (file.found ? { found: true, base64: file.content.toString('base64'), size: file.size, ...modeOf(file) } : file);
  const kept = await keptByImage(clients, 'image-file', ref, path, maxBytes, async (id) => toKept(await clients.engine.readImageFile(id, path, maxBytes)),
    (file) => !file.found || file.base64.length <= Math.ceil(KEEP_MAX_BYTES / 3) * 4);
  if (!kept) return clients.engine.readImageFile(ref, path, maxBytes);
  return kept.found ? { found: true, content: Buffer.from(kept.base64, 'base64'), size: kept.size, ...modeOf(kept) } : kept;
}

/** A file's size, mode and sha256 (when its whole content fits in maxBytes): kept whatever its size. */
export async function imageFileFacts(clients: Pick<ProbeClients, 'engine' | 'stored'>, ref: string, path: string, maxBytes: number): Promise<FileFacts> {
  const facts = (file: ImageFile): FileFacts => {
    if (!file.found) return file;
    const whole = file.content.length === file.size;
    return { found: true, size: file.size, ...modeOf(file), ...(whole ? { sha256: createHash('sha256').update(file.content).digest('hex') } : {}) };
  };
  return (await keptByImage(clients, 'image-file-facts', ref, path, maxBytes, async (id) => facts(await clients.engine.readImageFile(id, path, maxBytes))))
    ?? facts(await clients.engine.readImageFile(ref, path, maxBytes));
}
