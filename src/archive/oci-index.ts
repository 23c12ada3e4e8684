// How an OCI layout (engine 25+ and containerd saves) names its images: index.json points at a manifest, or at
// an image index listing one manifest per platform. The containerd image store identifies an image by the
// digest of what index.json points at (the classic store by its config digest), so these digests are what an
// engine's image ID is compared with. Each digest is the sha256 of a blob's raw bytes, hashed while streaming.
import type { BlobRecord } from './blob.js';
import { both } from '../lab/lang.js';
import { ArchiveError } from './types.js';

/** Indexes followed at most below index.json (a multi-platform image needs one). */
const MAX_DEPTH = 4;

export interface OciManifest {
  /** sha256:<hex> of the manifest blob. */
  digest: string;
  /** The config and layer blobs it names. */
  config: string;
  layers: string[];
  /** The image index index.json names, when the manifest was reached through one. */
  indexDigest?: string;
}

function jsonObject(record: BlobRecord | undefined): Record<string, unknown> | undefined {
  if (!record?.text) return undefined;
  try {
    const value: unknown = JSON.parse(record.text.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The sha256 digests an index lists (other algorithms cannot be checked against our hashes: left aside). */
function childDigests(index: Record<string, unknown>): string[] {
  const list = Array.isArray(index.manifests) ? (index.manifests as unknown[]) : [];
  return list
    .map((item) => (item as { digest?: unknown } | null)?.digest)
    .filter((digest): digest is string => typeof digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(digest));
}

function digestOf(value: unknown): string | undefined {
  const digest = (value as { digest?: unknown } | null)?.digest;
  return typeof digest === 'string' ? digest : undefined;
}

/**
 * Every manifest reachable from index.json whose blob is in the archive. A platform a multi-platform index lists
 * but the save does not hold is skipped; a blob that does not hash to its name is an altered archive.
 */
export function ociManifests(lookup: (path: string) => BlobRecord | undefined): OciManifest[] {
  const top = jsonObject(lookup('index.json'));
  if (!top) return [];
  const found: OciManifest[] = [];
  const seen = new Set<string>();
  const walk = (digest: string, indexDigest: string | undefined, depth: number): void => {
    if (depth > MAX_DEPTH || seen.has(digest)) return;
    seen.add(digest);
    const record = lookup(`blobs/sha256/${digest.slice(7)}`);
    if (!record || record.type !== 'file') return;
    if (record.digest !== digest) throw new ArchiveError('corrupt', both(`le blob ${digest} n'a pas l'empreinte de son nom : son contenu a été modifié`, `blob ${digest} does not hash to its name: its content was altered`));
    const document = jsonObject(record);
    if (!document) return;
    if (Array.isArray(document.manifests)) {
      for (const child of childDigests(document)) walk(child, indexDigest ?? digest, depth + 1);
      return;
    }
    const config = digestOf(document.config);
    if (!config || !Array.isArray(document.layers)) return;
    const layers = (document.layers as unknown[]).map(digestOf).filter((layer): layer is string => Boolean(layer));
    found.push({ digest, config, layers, ...(indexDigest ? { indexDigest } : {}) });
  };
  for (const digest of childDigests(top)) walk(digest, undefined, 1);
  return found;
}
