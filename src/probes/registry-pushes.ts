import { holdsManifest, knownDigests, pushedDigests } from '../engine/store.js';
import type { EngineClient, ImageInspect } from '../engine/types.js';
import { both, type Localized } from '../lab/text.js';
import { manifestDigest } from '../registry/api.js';
import type { RegistryClient } from '../registry/types.js';

// Whether an image was pushed to a repository of the lab registry, with proof. The classic store records every
// digest it pushed in RepoDigests, even after the tag is deleted from the registry. The containerd store records
// nothing: the proof has to come from the registry itself, which still serves the manifest, or whose access log
// (the registry container's, read through the engine) shows that manifest deleted. A student who never pushed
// cannot make either: a DELETE of a manifest the registry never had answers 404, not 202.

/** How much of the registry's log is read: its last lines, up to a few MiB. */
const LOG_LINES = 20_000;
const LOG_BYTES = 4 << 20;

const COMBINED = /"DELETE \/v2\/(\S+?)\/manifests\/(sha256:[0-9a-f]{64}) HTTP\/[\d.]+" 202 /;
const LOGRUS = /http\.request\.method=DELETE .*?http\.request\.uri="?\/v2\/(\S+?)\/manifests\/(sha256:[0-9a-f]{64})"? .*?http\.response\.status=202\b/;

/** The manifests of `repository` a registry's log shows deleted (a DELETE answered 202), in either of its forms. */
export function deletedInLog(log: string, repository: string): Set<string> {
  const deleted = new Set<string>();
  for (const line of log.split('\n')) {
    const match = COMBINED.exec(line) ?? LOGRUS.exec(line);
    if (match && match[1] === repository) deleted.add(match[2]!);
  }
  return deleted;
}

/**
 * The digests `image` was pushed as to `repository`, proven: recorded by the classic store; on the containerd
 * store, those of its manifests the registry serves or its log shows deleted (`container`: the registry's).
 */
export async function provenPushes(engine: EngineClient, registry: RegistryClient, image: ImageInspect, repository: string, container: string): Promise<string[]> {
  if ((await engine.version()).store !== 'containerd') return pushedDigests(engine, image, registry.address, repository);
  const served = [];
  for (const digest of knownDigests(image)) if (await manifestDigest(registry, repository, digest)) served.push(digest);
  const log = await engine.containerLogs(container, LOG_LINES, LOG_BYTES);
  const deleted = [...deletedInLog(log ?? '', repository)].filter((digest) => holdsManifest(image, digest));
  return [...new Set([...served, ...deleted])];
}

/** Why no push is proven, for the store the engine uses. */
export async function neverPushed(engine: EngineClient, image: string, ref: string, container: string, todo: Localized): Promise<Localized> {
  if ((await engine.version()).store !== 'containerd') {
    return both(`${image} n'a jamais été poussée vers ${ref} : ${todo.fr}`, `${image} was never pushed to ${ref}: ${todo.en}`);
  }
  return both(
    `Rien ne montre que ${image} a été poussée vers ${ref} : le registre ne sert pas son manifeste, et le journal du conteneur ${container} n'en montre pas la suppression (votre moteur, au stockage d'images containerd, ne garde aucune trace d'un push). ${todo.fr}`,
    `Nothing shows ${image} was pushed to ${ref}: the registry does not serve its manifest, and the log of container ${container} shows no deletion of it (your engine, on the containerd image store, keeps no trace of a push). ${todo.en}`,
  );
}
