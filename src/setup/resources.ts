// What `tp7 setup <ex>` makes and `tp7 reset <ex> --resources` removes: images built from scratch on the
// student's engine (no registry, no base image), each carrying the label org.tp7-lab.setup=<ex>, and the
// stopped containers that use some of them. Nothing without that label is ever retagged or removed.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { Tp7Error, ExitCode } from '../errors.js';
import { both, type Localized } from '../lab/text.js';
import type { Setup, SetupImage } from './schema.js';
import { reclaimableImageBytes } from '../engine/disk-usage.js';
import type { DiskUsage } from '../engine/types.js';

export const SETUP_LABEL = 'org.tp7-lab.setup';

/** Where setup notes the dangling images it left (relative to the workdir): facts read it after a cleanup. */
export const ledgerPath = (exerciseId: string) => `.tp7/setup/${exerciseId}.json`;

export interface Ledger {
  exercise: string;
  at: string;
  /** The dangling images setup left, with their sizes. */
  dangling: Array<{ id: string; size: number }>;
  /**
   * Every dangling image on the engine when setup ended (setup's and any earlier ones): what the student sees
   * and answers about, still counted once a cleanup removed them. Absent in ledgers of older versions.
   */
  danglingAtSetup?: Array<{ id: string; size: number }>;
  /**
   * The RECLAIMABLE bytes of `docker system df`'s Images row when setup ended: what a student reading it right after
   * setup answers. Later, removing an image that shares layers frees less than its size, so the fact also
   * accepts this figure as it was.
   */
  reclaimableAtSetup?: number;
}

/** Deterministic bytes that do not compress: the same build twice is the same image (the builder's cache). */
function payload(seed: string, bytes: number): Buffer {
  const blocks: Buffer[] = [];
  for (let index = 0, size = 0; size < bytes; index++, size += 32) blocks.push(createHash('sha256').update(`${seed}#${index}`).digest());
  return Buffer.concat(blocks).subarray(0, bytes);
}

async function buildContext(exerciseId: string, image: SetupImage, generation: number): Promise<NodeJS.ReadableStream> {
  const { pack } = await import('tar-stream');
  const tar = pack();
  // LABEL first: every intermediate image the legacy builder keeps as its cache carries the label too.
  const dockerfile = `FROM scratch\nLABEL ${SETUP_LABEL}=${exerciseId}\nCOPY content.bin /content.bin\nCMD ["/content.bin"]\n`;
  const mtime = new Date('2024-01-01T00:00:00Z');
  tar.entry({ name: 'Dockerfile', mtime }, dockerfile);
  tar.entry({ name: 'content.bin', mtime }, payload(`${image.ref}#${generation}`, image.sizeKb * 1024));
  tar.finalize();
  return tar as unknown as NodeJS.ReadableStream;
}

async function build(docker: Docker, exerciseId: string, image: SetupImage, generation: number): Promise<void> {
  const stream = await docker.buildImage(await buildContext(exerciseId, image, generation) as never, { t: image.ref, rm: true, forcerm: true });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, events: Array<{ error?: string }>) => {
      const failed = error?.message ?? events.find((event) => event.error)?.error;
      if (failed) reject(new Tp7Error(both(`la construction de ${image.ref} a échoué : ${failed}`, `building ${image.ref} failed: ${failed}`), ExitCode.checkFailed));
      else resolve();
    });
  });
}

async function labelOf(docker: Docker, kind: 'image' | 'container', name: string): Promise<string | null | undefined> {
  try {
    const info = kind === 'image' ? await docker.getImage(name).inspect() : await docker.getContainer(name).inspect();
    return (info.Config?.Labels ?? {})[SETUP_LABEL] ?? null;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** A name the student already uses for something else is never taken over. */
function refuse(what: string): never {
  throw new Tp7Error(both(`${what} existe et n'a pas été créé par tp7 setup : renommez-le ou supprimez-le d'abord (tp7 n'y touche jamais)`, `${what} exists and was not made by tp7 setup: rename or remove it first (tp7 never touches it)`), ExitCode.usage);
}

/** What one run of setup made that was not there before it (nothing, when run again on an intact setup). */
export interface SetupMade {
  images: string[];
  containers: string[];
  /** Dangling images (left by the rebuilds) that were not on the engine before. */
  dangling: number;
}

async function ownDangling(docker: Docker, exerciseId: string): Promise<Docker.ImageInfo[]> {
  const every = await docker.listImages({ filters: { dangling: ['true'] } });
  return every.filter((image) => image.Labels?.[SETUP_LABEL] === exerciseId);
}

/** Creates (or completes) the setup; running it again changes nothing that is already there. */
export async function applySetup(docker: Docker, exerciseId: string, setup: Setup, say: (line: Localized) => void): Promise<{ ledger: Ledger; made: SetupMade }> {
  const made: SetupMade = { images: [], containers: [], dangling: 0 };
  for (const image of setup.images) {
    const label = await labelOf(docker, 'image', image.ref);
    if (label === null) refuse(`the image ${image.ref}`);
    if (label === undefined) made.images.push(image.ref);
    if (image.container && (await labelOf(docker, 'container', image.container)) === null) refuse(`the container ${image.container}`);
  }
  const danglingBefore = new Set((await ownDangling(docker, exerciseId)).map((image) => image.Id));
  for (const image of setup.images) {
    for (let generation = 1; generation <= image.builds; generation++) await build(docker, exerciseId, image, generation);
    say(image.builds > 1 ? both(`${image.ref} (construite ${image.builds} fois)`, `${image.ref} (built ${image.builds} times)`) : both(image.ref, image.ref));
    if (image.container && (await labelOf(docker, 'container', image.container)) === undefined) {
      await docker.createContainer({ name: image.container, Image: image.ref, Labels: { [SETUP_LABEL]: exerciseId } });
      made.containers.push(image.container);
      say(both(`conteneur ${image.container} (créé, jamais démarré)`, `container ${image.container} (created, never started)`));
    }
  }
  const every = await docker.listImages({ filters: { dangling: ['true'] } });
  const own = every.filter((image) => image.Labels?.[SETUP_LABEL] === exerciseId);
  made.dangling = own.filter((image) => !danglingBefore.has(image.Id)).length;
  const entry = (image: Docker.ImageInfo) => ({ id: image.Id, size: image.Size });
  const reclaimableAtSetup = reclaimableImageBytes((await docker.df()) as DiskUsage);
  const ledger = { exercise: exerciseId, at: new Date().toISOString(), dangling: own.map(entry), danglingAtSetup: every.map(entry), reclaimableAtSetup };
  return { ledger, made };
}

/** Removes the setup's containers and images (found by label), and says what had to stay and why. */
export async function removeSetup(docker: Docker, exerciseId: string, setup: Setup | undefined): Promise<{ removed: string[]; kept: string[] }> {
  const label = `${SETUP_LABEL}=${exerciseId}`;
  const removed: string[] = [];
  const kept: string[] = [];
  for (const container of await docker.listContainers({ all: true, filters: { label: [label] } })) {
    await docker.getContainer(container.Id).remove({ force: true, v: true });
    removed.push(`container ${container.Names[0]?.replace(/^\//, '') ?? container.Id.slice(0, 12)}`);
  }
  // Our tags first (an image the student also tagged keeps their tag), then the untagged rest by ID.
  for (const image of setup?.images ?? []) {
    if ((await labelOf(docker, 'image', image.ref)) !== exerciseId) continue;
    await docker.getImage(image.ref).remove();
    removed.push(image.ref);
  }
  // Labels are inherited: an image the student built FROM one of ours carries the label too. A labelled image
  // that still has a tag once ours are gone is someone else's: it stays, and so do its parents.
  const isTagged = (image: Docker.ImageInfo) => (image.RepoTags ?? []).some((tag) => tag !== '<none>:<none>');
  const failed = new Map<string, string>();
  for (let pass = 0; pass < 10; pass++) {
    const left = await docker.listImages({ all: true, filters: { label: [label] } });
    const leaves = left.filter((image) => !isTagged(image) && !failed.has(image.Id) && !left.some((other) => other.ParentId === image.Id));
    if (!leaves.length) break;
    for (const image of leaves) {
      try {
        await docker.getImage(image.Id).remove();
        removed.push(image.Id.replace(/^sha256:/, '').slice(0, 12));
      } catch (error) {
        failed.set(image.Id, (error as { json?: { message?: string } }).json?.message ?? 'in use');
      }
    }
  }
  for (const image of await docker.listImages({ all: true, filters: { label: [label] } })) {
    if (isTagged(image)) kept.push(`${image.RepoTags![0]} (not made by tp7 setup)`);
    else if (failed.has(image.Id)) kept.push(`${image.Id.replace(/^sha256:/, '').slice(0, 12)} (${failed.get(image.Id)})`);
  }
  return { removed, kept };
}
