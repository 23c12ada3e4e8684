import type { EngineClient } from '../engine/types.js';
import { both } from '../lab/text.js';
import { familiarRepository } from '../reference.js';
import { outcome, type Outcome } from './types.js';

/** Every `repo:tag` the engine holds for one repository, sorted. */
export async function tagsOfRepository(engine: EngineClient, repository: string): Promise<string[]> {
  const images = await engine.listImages({ reference: [repository] });
  return images
    .flatMap((image) => image.RepoTags ?? [])
    .filter((tag) => tag !== '<none>:<none>' && familiarRepository(tag) === repository)
    .sort();
}

/** Every tag on the engine that points to the image with this ID (what `docker images` would show with it). */
export async function tagsOfImage(engine: EngineClient, imageId: string): Promise<string[]> {
  const images = await engine.listImages();
  const image = images.find((candidate) => candidate.Id === imageId);
  return (image?.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>').sort();
}

/**
 * The failure for an image that is not on the engine, naming the tags of the same repository the student does
 * have: it tells a typo or a wrong tag from a missing pull.
 */
export async function missingImage(engine: EngineClient, ref: string, expected: string): Promise<Outcome> {
  const repository = familiarRepository(ref);
  const siblings = await tagsOfRepository(engine, repository);
  const present = siblings.join(', ');
  return outcome('fail', expected, `absent (tags of ${repository} found: ${present || 'none'})`, both(
    `${ref} est introuvable sur votre moteur Docker${present ? ` (présents : ${present})` : ''}.`,
    `${ref} is not on your Docker engine${present ? ` (present: ${present})` : ''}.`,
  ));
}
