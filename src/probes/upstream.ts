import type { EngineClient, ImageInspect } from '../engine/types.js';
import type { Platform } from '../registry/platform.js';
import type { RegistryClient } from '../registry/types.js';
import { referenceOf } from '../reference.js';

// Where the engine pulls a Docker Hub image from: its first registry mirror when it has one (an offline
// classroom, the test engine), else Docker Hub itself. `docker manifest inspect nginx:alpine` always asks
// Docker Hub (the CLI ignores mirrors); checks must read what `docker pull` really gets.

export interface Upstream {
  registry: RegistryClient;
  /** Docker Hub's name: library/nginx for nginx. */
  repository: string;
  tag: string;
  /** The registry address to show, e.g. 127.0.0.1:5001 or registry-1.docker.io. */
  where: string;
}

/** `nginx:alpine` → library/nginx and alpine; `user/app` → user/app and latest. */
export function hubName(image: string): { repository: string; tag: string } {
  const parsed = referenceOf(image);
  if (!parsed) return { repository: image, tag: 'latest' };
  return { repository: parsed.path, tag: parsed.digest ?? parsed.tag ?? 'latest' };
}

/** The registry a plain `docker pull IMAGE` reads, or undefined when the clients cannot reach it. */
export async function upstreamOf(engine: EngineClient, registry: RegistryClient, image: string): Promise<Upstream | undefined> {
  const mirror = (await engine.registryMirrors?.())?.[0];
  const source = mirror ? registry.at?.(mirror.replace(/\/+$/, '')) : registry.hub?.();
  if (!source) return undefined;
  return { registry: source, ...hubName(image), where: source.address.replace(/^https?:\/\//, '') };
}

/** The platform an engine's image says it is for (what `docker inspect` shows as Os, Architecture, Variant). */
export function imagePlatform(image: ImageInspect): Platform {
  return { os: image.Os, architecture: image.Architecture, ...(image.Variant ? { variant: image.Variant } : {}) };
}
