import type { EngineClient } from '../engine/types.js';
import { both } from '../lab/text.js';
import { outcome, type Outcome } from './types.js';

/** `nginx:1.25` → `nginx`; `localhost:5000/app:1` → `localhost:5000/app` (a registry port is not a tag). */
export function repositoryOf(ref: string): string {
  const withoutDigest = ref.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** An image reference split the way the engine reads it (distribution's normalised form). */
export interface ParsedReference {
  /** `docker.io` when the name has no registry part. */
  domain: string;
  /** `library/nginx` for an official image of Docker Hub. */
  path: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * `nginx`, `nginx:latest`, `library/nginx` and `docker.io/library/nginx:latest` are one reference to the engine;
 * `localhost:5000/app:1` keeps its registry. Undefined for what the engine refuses ("invalid reference format").
 */
export function parseReference(ref: string): ParsedReference | undefined {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  if (digest !== undefined && !DIGEST.test(digest)) return undefined;
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const tag = colon > slash ? named.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag)) return undefined;
  const name = tag === undefined ? named : named.slice(0, colon);
  const parts = name.split('/');
  // The first part is a registry when it looks like a host: a dot, a port, or localhost.
  const hasDomain = parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost');
  let domain = hasDomain ? parts.shift()! : 'docker.io';
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  if (!parts.every((part) => COMPONENT.test(part)) || name.length > 255) return undefined;
  return { domain, path: parts.join('/'), ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `docker.io/library/nginx:latest`: the one spelling of a reference (`:latest` added when it names no tag nor digest). */
export function canonicalReference(parsed: ParsedReference): string {
  const name = `${parsed.domain}/${parsed.path}`;
  if (parsed.digest) return `${name}@${parsed.digest}`;
  return `${name}:${parsed.tag ?? 'latest'}`;
}

/** `nginx`, `alice/app`, `localhost:5000/app`: a repository as `docker images` shows it. */
export function familiarName(parsed: ParsedReference): string {
  if (parsed.domain !== 'docker.io') return `${parsed.domain}/${parsed.path}`;
  return parsed.path.replace(/^library\/(?=[^/]+$)/, '');
}

/** Every `repo:tag` the engine holds for one repository, sorted. */
export async function tagsOfRepository(engine: EngineClient, repository: string): Promise<string[]> {
  const images = await engine.listImages({ reference: [repository] });
  return images
    .flatMap((image) => image.RepoTags ?? [])
    .filter((tag) => tag !== '<none>:<none>' && repositoryOf(tag) === repository)
    .sort();
}

/** Every tag on the engine that points to the image with this ID (what `docker images` would show with it). */
export async function tagsOfImage(engine: EngineClient, imageId: string): Promise<string[]> {
  const images = await engine.listImages();
  const image = images.find((candidate) => candidate.Id === imageId);
  return (image?.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>').sort();
}

/**
 * The failure for an image that is not on the engine, naming the tags of the same repository the student does
 * have: it tells a typo or a wrong tag from a missing pull.
 */
export async function missingImage(engine: EngineClient, ref: string, expected: string): Promise<Outcome> {
  const repository = repositoryOf(ref);
  const siblings = await tagsOfRepository(engine, repository);
  const present = siblings.join(', ');
  return outcome('fail', expected, `absent (tags of ${repository} found: ${present || 'none'})`, both(
    `${ref} est introuvable sur votre moteur Docker${present ? ` (présents : ${present})` : ''}.`,
    `${ref} is not on your Docker engine${present ? ` (present: ${present})` : ''}.`,
  ));
}
