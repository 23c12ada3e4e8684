// What the three checks of a multi-platform list (registry-list, registry-list-configs, registry-list-runs)
// share: reading the list from the lab's registry, with one wording for "absent" and "not a list".
import { both, type Localized } from '../lab/text.js';
import { RegistryUnreachableError } from '../registry/errors.js';
import { describeImage, platformChildren, readManifest, type ListChild, type ManifestList } from '../registry/manifests.js';
import { canonicalPlatform, formatPlatform, samePlatform } from '../registry/platform.js';
import type { RegistryClient } from '../registry/types.js';
import { outcome, type Outcome } from './types.js';

export type ListView = { found: true; list: ManifestList; children: ListChild[] } | { found: false; outcome: Outcome };

/** sha256:0123456789ab (12 hex digits), the way docker prints short digests. */
export function shortDigest(digest: string): string {
  return digest.replace(/^(sha256:)?([0-9a-f]{12})[0-9a-f]*$/, 'sha256:$2');
}

/** The list `repository:tag` of the lab's registry with its children (attestations left out). */
export async function readListView(registry: RegistryClient, repository: string, tag: string, expected: string): Promise<ListView> {
  const name = `${registry.address}/${repository}:${tag}`;
  let described;
  try {
    described = await describeImage(registry, repository, tag);
  } catch (error) {
    // No registry running is a step of the exercise not done yet; any other registry trouble is an error.
    if (error instanceof RegistryUnreachableError) {
      return { found: false, outcome: outcome('fail', expected, 'no registry answers', both(
        `Aucun registre ne répond sur ${registry.address} (${error.text.fr}) : démarrez celui de l'exercice 4.`,
        `No registry answers on ${registry.address} (${error.text.en}): start the one of exercise 4.`,
      )) };
    }
    throw error; // other registry trouble: an error of the check (guardRegistry in each probe)
  }
  if (!described) {
    return { found: false, outcome: outcome('fail', expected, `${name} absent`, both(`${name} n'est pas dans le registre.`, `${name} is not in the registry.`)) };
  }
  if (described.kind === 'image') {
    const platform = described.config ? formatPlatform(described.config) : 'unknown platform';
    return { found: false, outcome: outcome('fail', expected, `one image for ${platform} (${described.manifest.mediaType})`, both(
      `${name} est une image d'une seule plateforme (${platform}), pas une liste : un docker push d'un tag ne publie qu'une image ; la liste se crée à partir des images de chaque plateforme.`,
      `${name} is a single-platform image (${platform}), not a list: docker push of one tag publishes one image; the list is made from each platform's image.`,
    )) };
  }
  return { found: true, list: described.manifest, children: described.children };
}

/** "linux/arm64/v8" for a child's entry, "(no platform)" when the list gives none. */
export function entryPlatform(child: ListChild): string {
  return child.entry.platform ? formatPlatform(child.entry.platform) : '(no platform)';
}

/** The tag a student gives one platform's image: amd64, arm64, armv7 (the platform without os and slashes). */
function platformTag(child: ListChild): string | undefined {
  if (!child.entry.platform) return undefined;
  return canonicalPlatform(child.entry.platform).split('/').slice(1).join('');
}

/**
 * When `repository:<arch tag>` (amd64, arm64, armv7) names another image than the list's entry for that
 * platform: the student rebuilt and pushed the images, but the list still points at the older ones (docker
 * manifest create keeps its local copy; push without --purge leaves it). Null when every such tag agrees
 * or none exists.
 */
export async function staleEntries(registry: RegistryClient, repository: string, tag: string, children: ListChild[]): Promise<Localized | null> {
  const stale: string[] = [];
  for (const child of children) {
    const archTag = platformTag(child);
    if (!archTag || archTag === tag) continue;
    const current = await readManifest(registry, repository, archTag);
    // BuildKit pushes an index (the image and its attestation) under the tag: its entry for the platform counts.
    const image = current?.kind === 'list' ? platformChildren(current).find((entry) => entry.platform && child.entry.platform && samePlatform(entry.platform, child.entry.platform)) : current;
    if (image && image.digest !== child.entry.digest) stale.push(`${entryPlatform(child)} (${repository}:${archTag})`);
  }
  if (!stale.length) return null;
  const list = `${registry.address}/${repository}:${tag}`;
  return both(
    `La liste pointe encore vers des images plus anciennes que vos tags ${stale.join(', ')} : docker manifest create réutilise sa copie locale. Reconstruisez-la : docker manifest rm ${list}, puis docker manifest create, puis docker manifest push --purge.`,
    `The list still points at older images than your tags ${stale.join(', ')}: docker manifest create reuses its local copy. Rebuild it: docker manifest rm ${list}, then docker manifest create, then docker manifest push --purge.`,
  );
}
