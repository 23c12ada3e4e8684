// From what the walk remembered to what the archive is: a save (found through manifest.json, every digest
// checked), a filesystem export, or a verdict saying why it is neither.
import { both, type LocalizedText } from '../lab/lang.js';
import type { BlobRecord } from './blob.js';
import { ociManifests, type OciManifest } from './oci-index.js';
import { normaliseName } from './paths.js';
import type { Scan } from './scan.js';
import { ArchiveError, type ArchiveDescription, type ArchiveLayer, type ImageArchive, type ImageConfig } from './types.js';

const ROOTFS_DIRS = ['bin', 'etc', 'lib', 'sbin', 'usr', 'var'];
const MAX_LINK_HOPS = 16;

interface ManifestItem {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** The record a path names, following links inside the archive (docker save links repeated layers). */
function follow(records: Map<string, BlobRecord>, path: string): BlobRecord | undefined {
  let current = normaliseName(path);
  for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
    const record = records.get(current);
    if (!record || (record.type !== 'symlink' && record.type !== 'hardlink')) return record;
    if (!record.target) return undefined;
    current = record.target;
  }
  return undefined;
}

/** `what` names the document in both languages, e.g. both('le manifeste', 'the manifest'). */
function parseJson(record: BlobRecord | undefined, what: LocalizedText): unknown {
  if (!record?.text) throw new ArchiveError('corrupt', both(`${what.fr} n'est pas un document JSON`, `${what.en} is not a JSON document`));
  try {
    return JSON.parse(record.text.toString('utf8'));
  } catch {
    throw new ArchiveError('corrupt', both(`${what.fr} n'est pas du JSON valide`, `${what.en} is not valid JSON`));
  }
}

function isManifest(value: unknown): value is ManifestItem[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => typeof item?.Config === 'string' && Array.isArray(item.Layers) && item.Layers.every((layer: unknown) => typeof layer === 'string'))
  );
}

/** A blob named after its digest (blobs/sha256/<hex>, or a legacy <hex>.json config) must hash to that name. */
function checkName(path: string, record: BlobRecord, what: LocalizedText): void {
  const named = /(?:^|\/)(?:blobs\/sha256\/([a-f0-9]{64})|([a-f0-9]{64})\.json)$/.exec(normaliseName(path));
  const hex = named?.[1] ?? named?.[2];
  if (hex && record.digest !== `sha256:${hex}`) {
    throw new ArchiveError('corrupt', both(
      `${what.fr} ${path} n'a pas l'empreinte de son nom : son contenu a été modifié`,
      `${what.en} ${path} does not hash to its name: its content was altered`,
    ));
  }
}

function readLayer(item: ManifestItem, index: number, records: Map<string, BlobRecord>, listEntries: boolean): ArchiveLayer {
  const path = item.Layers[index]!;
  const what = both(`la couche ${index + 1} (${path})`, `layer ${index + 1} (${path})`);
  const record = follow(records, path);
  if (!record || record.type !== 'file') {
    throw new ArchiveError('corrupt', both(`manifest.json liste ${what.fr}, absente de l'archive`, `manifest.json lists ${what.en}, which is not in the archive`));
  }
  checkName(path, record, both('la couche', 'layer'));
  let layer: ArchiveLayer;
  if (record.content === 'tar') {
    layer = { index, diffId: record.digest!, size: record.size, storedAs: 'none' };
  } else if (record.content === 'gzip' || record.content === 'bzip2' || record.content === 'xz' || record.content === 'zstd') {
    if (!record.decoded) {
      throw new ArchiveError('too-large', both(`${what.fr} n'a pas été décodée : trop de couches compressées`, `${what.en} was not decoded: too many compressed layers`));
    }
    if ('error' in record.decoded) {
      const { verdict, text } = record.decoded.error;
      throw new ArchiveError(verdict, both(`${what.fr} : ${text.fr}`, `${what.en}: ${text.en}`));
    }
    layer = { index, diffId: record.decoded.digest, size: record.decoded.size, storedAs: record.content };
  } else {
    throw new ArchiveError('corrupt', both(`${what.fr} n'est pas une archive tar`, `${what.en} is not a tar archive`));
  }
  if (listEntries) {
    const listing = record.listing;
    if (!listing || listing.problem) {
      const problem = listing?.problem ?? both('non listée', 'not listed');
      throw new ArchiveError('corrupt', both(`${what.fr} n'est pas un tar valide (${problem.fr})`, `${what.en} is not a valid tar (${problem.en})`));
    }
    if (listing.unsafe) {
      throw new ArchiveError('unsafe-path', both(
        `${what.fr} contient « ${listing.unsafe} », un chemin hors du système de fichiers de l'image`,
        `${what.en} holds "${listing.unsafe}", a path outside the image's filesystem`,
      ));
    }
    layer.entries = listing.entries;
  }
  return layer;
}

/** The OCI manifest that names exactly this config and these layer blobs, as manifest.json lists them. */
function manifestOf(item: ManifestItem, configDigest: string, scan: Scan, manifests: OciManifest[]): Pick<ImageArchive, 'manifestDigest' | 'indexDigest'> {
  const blobs = item.Layers.map((path) => follow(scan.records, path)?.digest);
  const manifest = manifests.find((candidate) => candidate.config === configDigest && candidate.layers.join(' ') === blobs.join(' '));
  if (!manifest) return {};
  return { manifestDigest: manifest.digest, ...(manifest.indexDigest ? { indexDigest: manifest.indexDigest } : {}) };
}

function readImage(item: ManifestItem, scan: Scan, listEntries: boolean, manifests: OciManifest[]): ImageArchive {
  const configRecord = follow(scan.records, item.Config);
  if (!configRecord) {
    throw new ArchiveError('corrupt', both(`manifest.json nomme la configuration ${item.Config}, absente de l'archive`, `manifest.json names the config ${item.Config}, which is not in the archive`));
  }
  const config = parseJson(configRecord, both(`la configuration d'image ${item.Config}`, `the image config ${item.Config}`)) as ImageConfig;
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new ArchiveError('corrupt', both(`la configuration d'image ${item.Config} n'est pas un objet`, `the image config ${item.Config} is not an object`));
  }
  checkName(item.Config, configRecord, both("la configuration d'image", 'the image config'));
  const layers = item.Layers.map((_, index) => readLayer(item, index, scan.records, listEntries));
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== layers.length) {
    throw new ArchiveError('corrupt', both(
      `manifest.json liste ${layers.length} couche(s) mais la configuration d'image en attend ${diffIds.length}`,
      `manifest.json lists ${layers.length} layer(s) but the image config expects ${diffIds.length}`,
    ));
  }
  const altered = layers.find((layer) => layer.diffId !== diffIds[layer.index]);
  if (altered) {
    const found = altered.diffId.slice(7, 19);
    const wanted = String(diffIds[altered.index]).slice(7, 19);
    throw new ArchiveError('corrupt', both(
      `la couche ${altered.index + 1} ne correspond pas à la configuration d'image (trouvé ${found}, attendu ${wanted}) : l'archive a été modifiée`,
      `layer ${altered.index + 1} does not match the image config (found ${found}, expected ${wanted}): the archive was altered`,
    ));
  }
  const oci = scan.records.has('oci-layout') || scan.records.has('index.json');
  const compressedLayers = layers.some((layer) => layer.storedAs !== 'none');
  return {
    layout: compressedLayers ? 'containerd' : oci ? 'oci' : 'legacy',
    repoTags: (item.RepoTags ?? []).filter((tag): tag is string => typeof tag === 'string'),
    configDigest: configRecord.digest!,
    ...manifestOf(item, configRecord.digest!, scan, manifests),
    config,
    layers,
    compression: scan.compression,
  };
}

function notASave(scan: Scan): ArchiveDescription {
  const topLevel = [...scan.topLevel].sort();
  const hasDockerenv = scan.hasDockerenv;
  if (hasDockerenv || ROOTFS_DIRS.filter((dir) => topLevel.includes(dir)).length >= 2) {
    return { kind: 'export', export: { compression: scan.compression, entryCount: scan.entryCount, hasDockerenv, topLevel } };
  }
  if (scan.records.has('index.json') && scan.records.has('oci-layout')) {
    throw new ArchiveError('not-a-save', both(
      'une disposition d’image OCI sans manifest.json (un oci-archive par exemple) : `docker load` a besoin de manifest.json',
      'an OCI image layout without manifest.json (e.g. an oci-archive): `docker load` needs manifest.json',
    ));
  }
  const escaping = escapingLink(scan);
  if (escaping) throw escaping;
  if (scan.records.has('repositories')) {
    throw new ArchiveError('not-a-save', both(
      'seulement un fichier `repositories`, sans manifest.json : un format de sauvegarde trop ancien pour être vérifié',
      'only a `repositories` file, no manifest.json: a save format too old to check',
    ));
  }
  throw new ArchiveError('not-a-save', both(
    `une archive tar (${scan.entryCount} entrées), mais sans manifest.json : ni un docker save, ni l'export d'un système de fichiers`,
    `a tar archive (${scan.entryCount} entries), but no manifest.json: not a docker save, nor a filesystem export`,
  ));
}

/** A link leading out of the archive: harmless in a container's filesystem (an export), never in a save. */
function escapingLink(scan: Scan): ArchiveError | undefined {
  const link = [...scan.records.values()].find((record) => record.target === null);
  return link && new ArchiveError('unsafe-path', both(
    `le lien « ${link.path} » → « ${link.rawTarget} » sort de l'archive`,
    `link "${link.path}" → "${link.rawTarget}" points outside the archive`,
  ));
}

export function describeScan(scan: Scan, listEntries: boolean): ArchiveDescription {
  if (!scan.records.has('manifest.json')) return notASave(scan);
  const escaping = escapingLink(scan);
  if (escaping) throw escaping;
  const manifest = parseJson(follow(scan.records, 'manifest.json'), both('manifest.json', 'manifest.json'));
  if (!isManifest(manifest)) {
    throw new ArchiveError('corrupt', both('manifest.json ne liste pas d’images avec `Config` et `Layers`', 'manifest.json does not list images with `Config` and `Layers`'));
  }
  const manifests = ociManifests((path) => follow(scan.records, path));
  return { kind: 'save', images: manifest.map((item) => readImage(item, scan, listEntries, manifests)) };
}
