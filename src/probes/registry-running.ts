import { z } from 'zod';
import { both } from '../lab/text.js';
import { containerRunning } from './container-running.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type ProbeKind } from './types.js';

// The lab registry's container, running, and really a registry: container-running's checks first, then GET /v2/
// on the lab's registry address must answer as a distribution registry does. Any image renamed registry:2 and
// run with the course's flags passes container-running (the cheapest stand-in); it does not pass this.

type ContainerRunningSpec = Parameters<typeof containerRunning.run>[0];
type Spec = Omit<ContainerRunningSpec, 'kind'> & { kind: 'registry-running' };

const schema = (containerRunning.schema as unknown as z.ZodObject<z.ZodRawShape>)
  .extend({ kind: z.literal('registry-running') })
  .describe('A named container runs from an image, publishes a port, and answers the registry API there (GET /v2/)') as unknown as z.ZodType<Spec>;

export const registryRunning: ProbeKind<Spec> = {
  kind: 'registry-running',
  schema,
  inputs: { containers: ['container'], images: ['image'], registry: true },
  async run(spec, clients) {
    const running = await containerRunning.run({ ...spec, kind: 'container-running' }, clients);
    if (running.status !== 'pass') return running;
    const { address } = clients.registry;
    const expected = `${running.expected}, answering the registry API on ${address}`;
    return guardRegistry(expected, async () => {
      const answer = await clients.registry.request('GET', '/v2/');
      const version = answer.headers['docker-distribution-api-version'];
      // 200, or 401 for a registry that wants a login: either way the distribution API answered.
      if ((answer.status === 200 || answer.status === 401) && version?.startsWith('registry/2')) return { ...running, expected };
      const what = `HTTP ${answer.status}, ${version ? `API ${version}` : 'no Docker-Distribution-Api-Version header'}`;
      return outcome('fail', expected, `${running.actual}; GET /v2/ on ${address}: ${what}`, both(
        `${spec.container} tourne à partir d'une image nommée ${spec.image}, mais ce qui répond sur ${address} n'est pas un registre (GET /v2/ : ${what}) : renommer une image ${spec.image} n'en fait pas un registre.`,
        `${spec.container} runs an image named ${spec.image}, but what answers on ${address} is not a registry (GET /v2/: ${what}): naming an image ${spec.image} does not make it a registry.`,
      ));
    });
  },
};
