import { formatPlatform } from '../registry/platform.js';
import type { EngineClient, ImageInspect, ImageStore, ManifestSummary } from './types.js';

// The two image stores a Docker engine may use, and what each one's answers mean. The classic store (graph
// drivers, every engine up to 28 by default, and upgraded hosts after) names an image by its config digest and
// records in RepoDigests the manifest digests it pulled or pushed. The containerd image store (the default of
// fresh Engine 29 and Docker Desktop 4.34+ installs) names an image by the digest of what its tag points to, a
// manifest or a multi-platform index, and makes RepoDigests up from the image's names: `repo@<that digest>` for
// every name, pulled or not. Probes ask here what the engine's answers prove rather than reading them raw.

/** The part of GET /info tp7 reads. */
export interface EngineInfo {
  ID?: string;
  RegistryConfig?: { Mirrors?: string[] | null };
  /** [["driver-type", "io.containerd.snapshotter.v1"]] on the containerd image store. */
  DriverStatus?: Array<[string, string]> | null;
}

export function storeOf(info: EngineInfo): ImageStore {
  const containerd = (info.DriverStatus ?? []).some(([key, value]) => key === 'driver-type' && value === 'io.containerd.snapshotter.v1');
  return containerd ? 'containerd' : 'classic';
}

/** The platform manifests of a containerd image whose content is on the engine (attestations left out). */
export function availablePlatforms(image: ImageInspect): ManifestSummary[] {
  return (image.Manifests ?? []).filter((manifest) => manifest.Kind === 'image' && manifest.Available);
}

/**
 * The manifest digests a `docker push` of this image sends, as far as the engine can tell. Classic store: the ones
 * it recorded pushing to (or pulling from) `<address>/<repository>`, which only a push or a pull writes. Containerd
 * store: a push sends what the image ID names (the index when every platform is there, else the one platform
 * manifest that is), whatever the image was ever called: its ID and its available platform manifests.
 */
export async function pushedDigests(engine: EngineClient, image: ImageInspect, address: string, repository: string): Promise<string[]> {
  if ((await engine.version()).store === 'containerd') return knownDigests(image);
  const prefix = `${address}/${repository}@`;
  return (image.RepoDigests ?? []).filter((entry) => entry.startsWith(prefix)).map((entry) => entry.slice(prefix.length));
}

/**
 * The manifest digests the engine holds this image as: its ID, and on the containerd store each platform manifest
 * whose content is there. A save (`docker save --platform` names the platform's manifest), a pull by digest or a
 * registry's manifest is this image when its digest is one of them.
 */
export function knownDigests(image: ImageInspect): string[] {
  return [image.Id, ...availablePlatforms(image).map((manifest) => manifest.ID)];
}

/** Whether the image holds the manifest `digest` (its own, or one platform's of its index). */
export function holdsManifest(image: ImageInspect | null | undefined, digest: string): boolean {
  return Boolean(image && knownDigests(image).includes(digest));
}

/** os/architecture[/variant] of each platform of a containerd image whose content is on the engine. */
export function heldPlatforms(image: ImageInspect): string[] {
  return availablePlatforms(image).flatMap((manifest) => {
    const platform = manifest.ImageData?.Platform ?? manifest.Descriptor.platform;
    return platform ? [formatPlatform(platform)] : [];
  });
}
