// Throwaway images a probe builds to judge a student's script on inputs the student could not foresee. Each one
// is FROM scratch (no base image needed, nothing runs), one layer per file, and carries tp7's probe label: the
// caller removes it when done, and only an image with that label is ever removed here.
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { createProbe, PROBE_LABEL } from './image-file.js';

/** A build context holding a Dockerfile and one file of each given size (random bytes: layers never coincide). */
async function scratchContext(fileSizes: readonly number[]): Promise<Readable> {
  const [{ pack }, { randomBytes }] = await Promise.all([import('tar-stream'), import('node:crypto')]);
  const context = pack();
  const copies = fileSizes.map((_, index) => `COPY f${index} /tp7-probe/f${index}\n`).join('');
  context.entry({ name: 'Dockerfile' }, `FROM scratch\n${copies}`);
  fileSizes.forEach((size, index) => context.entry({ name: `f${index}` }, randomBytes(size)));
  context.finalize();
  return context as unknown as Readable;
}

/** Builds `tag` and waits for the build to end; a build error becomes an Error with the engine's words. */
export async function buildProbeImage(docker: Docker, tag: string, fileSizes: readonly number[]): Promise<void> {
  const stream = await docker.buildImage(await scratchContext(fileSizes) as unknown as NodeJS.ReadableStream, {
    t: tag,
    labels: { [PROBE_LABEL]: 'true' },
    rm: true,
    forcerm: true,
  });
  const output = await new Promise<Array<{ error?: string }>>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, events: Array<{ error?: string }>) => (error ? reject(error) : resolve(events)));
  });
  const failed = output.find((event) => event.error);
  if (failed) throw new Error(`building a probe image failed: ${failed.error}`);
}

/** Removes `tag` if, and only if, it is one of tp7's probe images. */
export async function removeProbeImage(docker: Docker, tag: string): Promise<void> {
  const image = docker.getImage(tag);
  const info = await image.inspect().catch(() => undefined);
  if (info?.Config?.Labels?.[PROBE_LABEL] !== 'true') return;
  await image.remove({ force: true, noprune: false }).catch(() => undefined);
}

/** The probe containers this process made and has not removed yet, by name: each stays tracked till then. */
const releases = new Map<string, () => void>();

/** A labelled container of `image`, created and never started (a stopped user of it); returns its name. */
export async function createProbeContainer(docker: Docker, image: string): Promise<string> {
  const { randomBytes } = await import('node:crypto');
  const name = `tp7-check-${randomBytes(4).toString('hex')}`;
  const { release } = await createProbe(docker, image, name);
  releases.set(name, release);
  return name;
}

/** Removes the container `name` if, and only if, it is one of tp7's probe containers. */
export async function removeProbeContainer(docker: Docker, name: string): Promise<void> {
  const container = docker.getContainer(name);
  const info = await container.inspect().catch(() => undefined);
  if (info?.Config?.Labels?.[PROBE_LABEL] === 'true') await container.remove({ force: true, v: true }).catch(() => undefined);
  releases.get(name)?.();
  releases.delete(name);
}
