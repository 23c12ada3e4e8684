import { parseFamiliarName } from '@swimlane/docker-reference';

// The project's one image-reference parser. The grammar is the distribution project's (github.com/distribution/
// reference), through its port @swimlane/docker-reference; the normalisation is the engine's: a name without a
// registry is on docker.io, a one-component name on Docker Hub is under library/, no tag and no digest is
// :latest. So nginx, nginx:latest and docker.io/library/nginx:latest are one reference.

export const DEFAULT_REGISTRY = 'docker.io';
const OFFICIAL_NAMESPACE = 'library';
const DEFAULT_TAG = 'latest';

export interface ImageReference {
  /** Registry host, with its port: `docker.io`, `localhost:5000`, `registry.company.com`. */
  registry: string;
  /** Repository path inside the registry: `library/nginx`, `team/webapp`. */
  path: string;
  /** The tag as written, or `latest` when neither a tag nor a digest was given. */
  tag: string | undefined;
  digest: string | undefined;
}

/** The parsed, normalised reference, or the grammar's reason it is not one (`invalid reference format`, …). */
export function parseReference(ref: string): ImageReference | { error: string } {
  try {
    const parsed = parseFamiliarName(ref);
    const digest = parsed.digest;
    const tag = parsed.tag ?? (digest ? undefined : DEFAULT_TAG);
    return { registry: parsed.domain!, path: parsed.repository!, tag, digest };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The tag as the reference writes it, or undefined when it leaves it out (`app` means app:latest to docker). */
export function writtenTag(ref: string): string | undefined {
  try {
    return parseFamiliarName(ref).tag ?? undefined;
  } catch {
    return undefined;
  }
}

export function isReference(ref: string): boolean {
  return !('error' in parseReference(ref));
}

/** The parsed reference; a caller that has not validated its input gets undefined for a malformed one. */
export function referenceOf(ref: string): ImageReference | undefined {
  const parsed = parseReference(ref);
  return 'error' in parsed ? undefined : parsed;
}

/** `nginx` → `docker.io/library/nginx:latest`; a malformed reference is returned as written. */
export function normalisedReference(ref: string): string {
  const parsed = referenceOf(ref);
  if (!parsed) return ref;
  return `${parsed.registry}/${parsed.path}${parsed.tag ? `:${parsed.tag}` : ''}${parsed.digest ? `@${parsed.digest}` : ''}`;
}

/**
 * `docker.io/library/nginx:latest`: the key the engine's reference store files a name under. A digest wins over a
 * tag (`nginx:alpine@sha256:…` names the digest only), as the engine stores it.
 */
export function canonicalReference(parsed: ImageReference): string {
  const name = `${parsed.registry}/${parsed.path}`;
  return parsed.digest ? `${name}@${parsed.digest}` : `${name}:${parsed.tag ?? DEFAULT_TAG}`;
}

/** Whether two spellings name the same image reference (`nginx` and `docker.io/library/nginx:latest` do). */
export function sameReference(a: string, b: string): boolean {
  return normalisedReference(a) === normalisedReference(b);
}

/**
 * The repository as `docker images` shows it: `docker.io/library/nginx:1.25` → `nginx`, `docker.io/user/app` →
 * `user/app`, `localhost:5000/app:1` → `localhost:5000/app` (a registry port is not a tag).
 */
export function familiarRepository(ref: string): string {
  const parsed = referenceOf(ref);
  return parsed ? familiarName(parsed) : ref.split('@')[0]!;
}

/** The repository of a parsed reference as `docker images` shows it (see familiarRepository). */
export function familiarName(parsed: ImageReference): string {
  if (parsed.registry !== DEFAULT_REGISTRY) return `${parsed.registry}/${parsed.path}`;
  return parsed.path.startsWith(`${OFFICIAL_NAMESPACE}/`) ? parsed.path.slice(OFFICIAL_NAMESPACE.length + 1) : parsed.path;
}

/** A repository path inside a registry (`myapp`, `team/webapp`): a reference with no registry, tag or digest. */
export function isRepositoryPath(path: string): boolean {
  // Behind an explicit registry the path is read as written (docker.io would prefix library/ to `myapp`).
  const parsed = referenceOf(`registry.invalid/${path}`);
  return parsed !== undefined && parsed.path === path && parsed.tag === DEFAULT_TAG && !path.includes(':');
}

export interface NamingParts {
  registry: string;
  /** Everything between the registry and the name: `team`, `org/team`, `library` for an official image. */
  namespace: string;
  name: string;
  /** The tag's version, up to its first dash: `2.1.0` of `2.1.0-production`. */
  version: string | undefined;
  /** What the tag adds after the version: `production` of `2.1.0-production`, `alpine` of `1.25-alpine`. */
  variant: string | undefined;
}

/** `registry.company.com/team/webapp:2.1.0-production` taken apart the way the naming conventions read it. */
export function namingParts(ref: string): NamingParts | undefined {
  const parsed = referenceOf(ref);
  if (!parsed) return undefined;
  const slash = parsed.path.lastIndexOf('/');
  const namespace = slash < 0 ? '' : parsed.path.slice(0, slash);
  const tag = parsed.tag;
  const dash = tag?.indexOf('-') ?? -1;
  return {
    registry: parsed.registry,
    namespace,
    name: parsed.path.slice(slash + 1),
    version: tag === undefined ? undefined : dash < 0 ? tag : tag.slice(0, dash),
    variant: tag === undefined || dash < 0 ? undefined : tag.slice(dash + 1),
  };
}
