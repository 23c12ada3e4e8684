import { availablePlatforms } from './store.js';
import type { EngineClient, ImageInspect } from './types.js';

// The sizes a student can read for one image. On the classic store `docker images` and `docker inspect` show one
// number. On the containerd image store they differ: inspect's Size counts the content of one platform (its layers
// as stored, compressed), while the image list counts that content plus the unpacked snapshots of every platform
// present: `docker images` shows the latter (Docker 29's tree view calls it DISK USAGE, beside CONTENT SIZE).

/** What `docker images` shows for the image (the list's Size), or undefined when the list does not hold its ID. */
export async function listedSize(engine: EngineClient, image: ImageInspect): Promise<number | undefined> {
  // Listed by one of its names when it has one: a client keeps its listings for the run, and an image made since
  // (a probe's, at check time) is in no listing made before it.
  const name = image.RepoTags?.[0];
  return (await engine.listImages(name ? { reference: [name] } : undefined)).find((summary) => summary.Id === image.Id)?.Size;
}

/**
 * Every size a right answer may give for the image, `docker images`'s first; one number on the classic store. On
 * the containerd store the list's figure grows with each platform pulled into the image (exercise 7 adds arm64 to
 * nginx:alpine): what one platform takes, content and snapshot (what `docker images` showed before), is right too.
 */
export async function shownSizes(engine: EngineClient, image: ImageInspect): Promise<number[]> {
  const listed = await listedSize(engine, image);
  const platforms = availablePlatforms(image).flatMap((manifest) => (manifest.Size?.Total ? [manifest.Size.Total] : []));
  return [...new Set([listed ?? image.Size, image.Size, ...platforms])];
}

/**
 * What a save of the image may hold at most, as a size to bound a reading by: its Size, and on the containerd store
 * (whose inspect Size counts one platform's compressed content, a few kilobytes when the host's is absent) the
 * content and snapshots of every platform there.
 */
export function storedBytes(image: ImageInspect): number {
  const platforms = availablePlatforms(image).reduce((sum, manifest) => sum + (manifest.Size?.Total ?? 0), 0);
  return Math.max(image.Size, platforms);
}
