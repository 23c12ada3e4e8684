import { z } from 'zod';
import { both } from '../lab/text.js';
import { containerOrOutcome, isOutcome } from './containers.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('container-restart-policy'),
    container: z.string().min(1).describe('Container name'),
    policy: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).describe('The restart policy it must have'),
  })
  .describe("A named container's restart policy (HostConfig.RestartPolicy)");
type Spec = z.infer<typeof schema>;

export const containerRestartPolicy: ProbeKind<Spec> = {
  kind: 'container-restart-policy',
  schema,
  inputs: { containers: ['container'] },
  async run(spec, { engine }) {
    const expected = `${spec.container}: restart policy ${spec.policy}`;
    const found = await containerOrOutcome(engine, spec.container, expected);
    if (isOutcome(found)) return found;
    // An empty name is how the engine records "no policy".
    const policy = found.HostConfig.RestartPolicy?.Name || 'no';
    const actual = `${spec.container}: restart policy ${policy}`;
    if (policy === spec.policy) {
      return outcome('pass', expected, actual, both(`Politique de redémarrage : ${policy}.`, `Restart policy: ${policy}.`));
    }
    const never = policy === 'no';
    return outcome('fail', expected, actual, both(
      `${spec.container} a la politique de redémarrage « ${policy} », pas « ${spec.policy} »${never ? ' : il ne reviendra pas tout seul après un plantage ou un redémarrage de Docker' : ''}.`,
      `${spec.container} has the restart policy "${policy}", not "${spec.policy}"${never ? ': it will not come back by itself after a crash or a Docker restart' : ''}.`,
    ));
  },
};
