import type { ImageInspect } from '../engine/types.js';

/**
 * The manifest digests under which the engine pushed (or pulled) an image to `<address>/<repository>`: docker
 * push records each one in the image's RepoDigests. They prove a push even after the tag is gone.
 */
export function pushedDigests(image: ImageInspect, address: string, repository: string): string[] {
  const prefix = `${address}/${repository}@`;
  return (image.RepoDigests ?? []).filter((entry) => entry.startsWith(prefix)).map((entry) => entry.slice(prefix.length));
}
