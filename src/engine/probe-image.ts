// Throwaway images a probe makes to judge a student's script on inputs the student could not foresee. Each one
// is FROM scratch (no base image needed, nothing runs), one layer per file, loaded from an archive tp7 writes, and
// carries tp7's probe label: the caller removes it when done, and only an image with that label is ever removed.
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { CheckError } from '../errors.js';
import { both } from '../lab/lang.js';
import { createProbe, PROBE_LABEL } from './image-file.js';

/** One layer: a tar holding `tp7-probe/f<index>`, `size` random bytes (layers never coincide). */
async function layerTar(index: number, size: number): Promise<Buffer> {
  const [{ pack }, { randomBytes }] = await Promise.all([import('tar-stream'), import('node:crypto')]);
  const tar = pack();
  tar.entry({ name: 'tp7-probe/', type: 'directory', mode: 0o755, mtime: new Date(0) });
  tar.entry({ name: `tp7-probe/f${index}`, mode: 0o644, mtime: new Date(0) }, randomBytes(size));
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * A `docker save` archive (the legacy layout, which every engine loads) of one FROM-scratch image named `tag`,
 * one layer per file, labelled as tp7's probe image, for the engine's own platform.
 */
async function probeArchive(tag: string, fileSizes: readonly number[], platform: { os: string; architecture: string }): Promise<Readable> {
  const [{ pack }, { createHash }] = await Promise.all([import('tar-stream'), import('node:crypto')]);
  const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
  const layers = await Promise.all(fileSizes.map((size, index) => layerTar(index, size)));
  const created = new Date().toISOString();
  const config = JSON.stringify({
    ...platform,
    created,
    config: { Labels: { [PROBE_LABEL]: 'true' } },
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => `sha256:${sha256(layer)}`) },
    history: fileSizes.map((_, index) => ({ created, created_by: `COPY f${index} /tp7-probe/f${index}` })),
  });
  const archive = pack();
  const configName = `${sha256(config)}.json`;
  archive.entry({ name: configName }, config);
  layers.forEach((layer, index) => archive.entry({ name: `layer${index}/layer.tar` }, layer));
  archive.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: layers.map((_, index) => `layer${index}/layer.tar`) }]));
  archive.finalize();
  return archive as unknown as Readable;
}

/**
 * Makes `tag` by loading an archive tp7 writes (POST /images/load): no builder is involved, so no store's builder
 * quirks either (the containerd store's classic builder loses images that concurrent builds share, BuildKit is
 * not always there), and the image is the same on every engine. A load error becomes an Error with the engine's words.
 */
export async function buildProbeImage(docker: Docker, tag: string, fileSizes: readonly number[], platform: { os: string; architecture: string }): Promise<void> {
  const stream = (await docker.loadImage(await probeArchive(tag, fileSizes, platform) as unknown as NodeJS.ReadableStream, { quiet: true })) as NodeJS.ReadableStream;
  const output = await new Promise<Array<{ error?: string; errorDetail?: { message?: string } }>>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, events: Array<{ error?: string }>) => (error ? reject(error) : resolve(events)));
  });
  const failed = output.find((event) => event.error || event.errorDetail);
  if (failed) {
    const said = failed.errorDetail?.message ?? failed.error ?? '';
    throw new CheckError(both(`l'image de test n'a pas pu être chargée (« ${said} »)`, `the probe image could not be loaded ("${said}")`));
  }
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
