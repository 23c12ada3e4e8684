import type { EngineClient } from '../engine/types.js';

/** `nginx:1.25` → `nginx`; `localhost:5000/app:1` → `localhost:5000/app` (a registry port is not a tag). */
export function repositoryOf(ref: string): string {
  const withoutDigest = ref.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** Every `repo:tag` the engine holds for one repository, sorted. */
export async function tagsOfRepository(engine: EngineClient, repository: string): Promise<string[]> {
  const images = await engine.listImages({ reference: [repository] });
  return images
    .flatMap((image) => image.RepoTags ?? [])
    .filter((tag) => tag !== '<none>:<none>' && repositoryOf(tag) === repository)
    .sort();
}

/** Every tag on the engine that points to the image with this ID (what `docker images` would show with it). */
export async function tagsOfImage(engine: EngineClient, imageId: string): Promise<string[]> {
  const images = await engine.listImages();
  const image = images.find((candidate) => candidate.Id === imageId);
  return (image?.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>').sort();
}
