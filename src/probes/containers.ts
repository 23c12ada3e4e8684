import type { ContainerInspect, EngineClient } from '../engine/types.js';
import { both } from '../lab/text.js';
import { outcome, type Outcome } from './types.js';

/** The container, or the `fail` outcome that says it is not there (the first near miss of every container check). */
export async function containerOrOutcome(engine: EngineClient, name: string, expected: string): Promise<ContainerInspect | Outcome> {
  const container = await engine.inspectContainer(name);
  if (container) return container;
  return outcome('fail', expected, `no container ${name}`, both(
    `Aucun conteneur nommé ${name} (docker ps -a n'en montre pas).`,
    `No container named ${name} (docker ps -a shows none).`,
  ));
}

export function isOutcome(value: ContainerInspect | Outcome): value is Outcome {
  return 'status' in value && 'message' in value;
}

/** `registry:2`, `docker.io/library/registry:2.8`, `registry@sha256:…` → `registry` (the reference module's reading). */
export { familiarRepository as repositoryName } from '../reference.js';
