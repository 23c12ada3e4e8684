// What a recorded run would have removed, had it run for real: its `rm`, `rmi` and `volume rm` replayed on a
// snapshot of the engine, with the refusals the daemon makes (an image ID tagged in several repositories, or
// used by a container, is not removed without -f). Pure: the snapshot is read by the caller.
import { familiarRepository } from '../reference.js';
import type { DockerCommand } from './docker-command.js';

export interface EngineSnapshot {
  images: Array<{ id: string; tags: string[] }>;
  /** Containers by name (without the leading /), with the image ID they use. */
  containers: Array<{ id: string; name: string; image: string }>;
}

export interface Removals {
  /** Names of the containers removed (as the engine names them when it knows them). */
  containers: string[];
  volumes: string[];
  /** IDs of the images deleted (no tag left). */
  images: string[];
  /** Tags taken off images, deleted or not. */
  untagged: string[];
  /** Commands the daemon would have refused, with why. */
  refused: Array<{ command: DockerCommand; target: string; reason: 'several-repositories' | 'in-use' | 'no-such-image' }>;
}

const isIdPrefix = (arg: string) => /^(sha256:)?[0-9a-f]{12,64}$/.test(arg);
const idMatches = (id: string, arg: string) => id.replace(/^sha256:/, '').startsWith(arg.replace(/^sha256:/, ''));
/** `myapp` → `myapp:latest`; `localhost:5000/myapp:1` as is. */
const withTag = (ref: string) => (/:[^/]*$/.test(ref) ? ref : `${ref}:latest`);
const repositoryOfTag = familiarRepository;

export function replayRemovals(commands: DockerCommand[], snapshot: EngineSnapshot): Removals {
  const tags = new Map(snapshot.images.map((image) => [image.id, new Set(image.tags)]));
  const alive = new Map(snapshot.containers.map((container) => [container.name, container]));
  const result: Removals = { containers: [], volumes: [], images: [], untagged: [], refused: [] };
  const deleteImage = (id: string) => {
    result.untagged.push(...tags.get(id)!);
    tags.delete(id);
    result.images.push(id);
  };
  for (const command of commands) {
    const force = command.flags.force === true || command.flags.force === 'true';
    if (command.command === 'container rm') {
      for (const arg of command.args) {
        const found = [...alive.values()].find((container) => container.name === arg.replace(/^\//, '') || (isIdPrefix(arg) && idMatches(container.id, arg)));
        result.containers.push(found?.name ?? arg.replace(/^\//, ''));
        if (found) alive.delete(found.name);
      }
    } else if (command.command === 'volume rm') {
      result.volumes.push(...command.args);
    } else if (command.command === 'image rm') {
      for (const arg of command.args) {
        const byId = isIdPrefix(arg) ? [...tags.keys()].find((id) => idMatches(id, arg)) : undefined;
        const byName = byId ? undefined : [...tags.entries()].find(([, names]) => names.has(withTag(arg)));
        const id = byId ?? byName?.[0];
        if (!id) {
          result.refused.push({ command, target: arg, reason: 'no-such-image' });
          continue;
        }
        const names = tags.get(id)!;
        if (byName && names.size > 1) {
          names.delete(withTag(arg));
          result.untagged.push(withTag(arg));
          continue;
        }
        if (!force && new Set([...names].map(repositoryOfTag)).size > 1) {
          result.refused.push({ command, target: arg, reason: 'several-repositories' });
          continue;
        }
        if ([...alive.values()].some((container) => container.image === id)) {
          // A container still uses it: refused, or with -f only its names go (the image stays, dangling).
          if (!force) result.refused.push({ command, target: arg, reason: 'in-use' });
          else result.untagged.push(...names.values());
          if (force) names.clear();
          continue;
        }
        deleteImage(id);
      }
    }
  }
  return result;
}
