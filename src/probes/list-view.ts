// What the three checks of a multi-platform list (registry-list, registry-list-configs, registry-list-runs)
// share: reading the list from the lab's registry, with one wording for "absent" and "not a list".
import { both } from '../lab/text.js';
import { RegistryUnreachableError } from '../registry/errors.js';
import { describeImage, isAttestation, type ListChild, type ManifestList } from '../registry/manifests.js';
import { formatPlatform } from '../registry/platform.js';
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
  return { found: true, list: described.manifest, children: described.children.filter((child) => !isAttestation(child.entry)) };
}

/** "linux/arm64/v8" for a child's entry, "(no platform)" when the list gives none. */
export function entryPlatform(child: ListChild): string {
  return child.entry.platform ? formatPlatform(child.entry.platform) : '(no platform)';
}
