import type { EngineClient } from '../engine/types.js';
import { DEFAULT_REGISTRY, referenceOf } from '../reference.js';

// Exercise 4.1 has the student name images <their Docker Hub user>/mon-nginx:<tag>. The lab never asks for
// the user name (it cannot be read from ~/.docker/config.json without decoding a secret): it finds it in the
// student's own tags.

/** Course placeholders a student may have copied as is instead of their user name. */
export const PLACEHOLDER_USERS = ['votre_username', 'your_username', 'username', 'votre-username', 'your-username'];

/**
 * A Docker Hub namespace: one path component that is not a registry host. Docker takes a first component with a
 * dot or a colon, or "localhost", for a host; underscores are kept so the course's votre_username is recognised.
 */
const NAMESPACE = /^[a-z0-9]+(?:(?:_|__|-+)[a-z0-9]+)*$/;

export interface UserRepository {
  user: string;
  /** `<user>/<repository>` */
  name: string;
  /** Tag → image ID, for the tags this user's repository has on the engine. */
  tags: Map<string, string>;
}

/**
 * Every `<user>/<repository>` with tags on the engine, the best first: the one holding most of `wanted`, then
 * by name (so the answer is stable).
 */
export async function userRepositories(engine: EngineClient, repository: string, wanted: string[]): Promise<UserRepository[]> {
  const found = new Map<string, UserRepository>();
  for (const image of await engine.listImages()) {
    for (const ref of image.RepoTags ?? []) {
      const parsed = referenceOf(ref);
      if (!parsed?.tag || parsed.registry !== DEFAULT_REGISTRY) continue;
      const [user, name, extra] = parsed.path.split('/');
      if (extra !== undefined || name !== repository || !user || user === 'library' || !NAMESPACE.test(user)) continue;
      const entry = found.get(user) ?? { user, name: `${user}/${repository}`, tags: new Map<string, string>() };
      entry.tags.set(parsed.tag, image.Id);
      found.set(user, entry);
    }
  }
  const score = (entry: UserRepository) => wanted.filter((tag) => entry.tags.has(tag)).length;
  return [...found.values()].sort((a, b) => score(b) - score(a) || a.user.localeCompare(b.user));
}
