// What a release script's docker commands did, read without doing them: which names the build produced, which
// name each `docker tag` copied, and what each push sent. Exercise 9 judges version-manager.sh on this model.
import { normalisedReference, referenceOf } from '../reference.js';
import type { DockerCommand } from './docker-command.js';

/** Where a name points after the recorded commands: the image the run built, or another image named so. */
export type Origin = { built: true } | { built: false; from: string };

export interface ReleaseModel {
  built: boolean;
  /** Normalised reference → where it points. */
  names: Map<string, Origin>;
  /** Normalised references pushed, with where each pointed when pushed. */
  pushed: Map<string, Origin>;
}

export function releaseModel(commands: DockerCommand[]): ReleaseModel {
  const names = new Map<string, Origin>();
  const pushed = new Map<string, Origin>();
  let built = false;
  const origin = (ref: string): Origin => names.get(normalisedReference(ref)) ?? { built: false, from: ref };
  for (const command of commands) {
    if (command.command === 'image build') {
      built = true;
      for (const [key, value] of command.values) if (key === 'tag') names.set(normalisedReference(value), { built: true });
    } else if (command.command === 'image tag' && command.args.length >= 2) {
      names.set(normalisedReference(command.args[1]!), origin(command.args[0]!));
    } else if (command.command === 'image push' && command.args[0]) {
      const ref = command.args[0];
      if (command.flags['all-tags'] === true) {
        const repository = referenceOf(ref);
        for (const [name, where] of names) {
          const parsed = referenceOf(name);
          if (repository && parsed && parsed.registry === repository.registry && parsed.path === repository.path) pushed.set(name, where);
        }
      } else {
        pushed.set(normalisedReference(ref), origin(ref));
      }
    }
  }
  return { built, names, pushed };
}
