import type Docker from 'dockerode';
import type { Exercise } from '../../lab/schema.js';
import { DEFAULT_REGISTRY, familiarRepository, referenceOf } from '../../reference.js';

// What `tp7 dev check --solutions` may remove: only what appeared on the engine while it ran. A snapshot is
// taken before the first solution; afterwards, every container, image tag, image and volume not in it is the
// run's own and goes, and nothing that was there before is touched.

export interface EngineSnapshot {
  containers: Set<string>;
  /** Image IDs, intermediate images included. */
  images: Set<string>;
  /** repo:tag names. */
  tags: Set<string>;
  volumes: Set<string>;
}

export async function snapshot(docker: Docker): Promise<EngineSnapshot> {
  const [containers, images, volumes] = await Promise.all([
    docker.listContainers({ all: true }),
    docker.listImages({ all: true }),
    docker.listVolumes(),
  ]);
  return {
    containers: new Set(containers.map((container) => container.Id)),
    images: new Set(images.map((image) => image.Id)),
    tags: new Set(images.flatMap((image) => image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>')),
    volumes: new Set((volumes.Volumes ?? []).map((volume) => volume.Name)),
  };
}

/**
 * The course's own resources already on the engine (every exercise's `resources`): the solutions would
 * overwrite or remove them, so a run refuses to start while one is there. An image pulled from Docker Hub under
 * its own name (nginx:alpine, registry:2: it carries a digest of its repository) is only read, and may stay.
 */
export async function courseResourcesPresent(docker: Docker, exercises: Exercise[]): Promise<string[]> {
  const [containers, volumes] = await Promise.all([docker.listContainers({ all: true }), docker.listVolumes()]);
  const names = new Set(containers.flatMap((container) => container.Names.map((name) => name.replace(/^\//, ''))));
  const volumeNames = new Set((volumes.Volumes ?? []).map((volume) => volume.Name));
  const found = new Set<string>();
  for (const { resources } of exercises) {
    for (const name of resources.containers) if (names.has(name)) found.add(`container ${name}`);
    for (const volume of resources.volumes) if (volumeNames.has(volume)) found.add(`volume ${volume}`);
    for (const ref of resources.images) if (await madeLocally(docker, ref)) found.add(`image ${ref}`);
  }
  return [...found];
}

/** The image exists and is not a plain pull from Docker Hub under this very name. */
async function madeLocally(docker: Docker, ref: string): Promise<boolean> {
  let digests: string[];
  try {
    digests = ((await docker.getImage(ref).inspect()) as { RepoDigests?: string[] | null }).RepoDigests ?? [];
  } catch {
    return false;
  }
  const parsed = referenceOf(ref);
  if (!parsed || parsed.registry !== DEFAULT_REGISTRY) return true;
  return !digests.some((digest) => familiarRepository(digest) === familiarRepository(ref));
}

/** Removes what appeared since `before`; returns how many things went and what could not be removed. */
export async function removeNewSince(docker: Docker, before: EngineSnapshot): Promise<{ removed: number; left: string[] }> {
  const after = await snapshot(docker);
  const left: string[] = [];
  let removed = 0;
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
      removed += 1;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) left.push(`${what}: ${(error as Error).message.split('\n')[0]}`);
    }
  };
  for (const id of after.containers) {
    if (!before.containers.has(id)) await attempt(`container ${id.slice(0, 12)}`, () => docker.getContainer(id).remove({ force: true, v: true }));
  }
  // New names first (an old image that got a new name keeps its ID), then the new images, children first: an
  // image removal that fails because another still needs it is tried again after the others.
  for (const tag of after.tags) if (!before.tags.has(tag)) await attempt(`image ${tag}`, () => docker.getImage(tag).remove({ noprune: false }));
  let pending = [...after.images].filter((id) => !before.images.has(id));
  for (let round = 0; pending.length && round < 5; round++) {
    const next: string[] = [];
    for (const id of pending) {
      try {
        await docker.getImage(id).remove({ noprune: false });
        removed += 1;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) next.push(id);
      }
    }
    if (next.length === pending.length) break;
    pending = next;
  }
  left.push(...pending.map((id) => `image ${id.replace(/^sha256:/, '').slice(0, 12)}`));
  for (const name of (await snapshot(docker)).volumes) {
    if (!before.volumes.has(name)) await attempt(`volume ${name}`, () => docker.getVolume(name).remove());
  }
  return { removed, left };
}
