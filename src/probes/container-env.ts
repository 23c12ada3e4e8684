import { z } from 'zod';
import { both } from '../lab/text.js';
import { containerOrOutcome, isOutcome } from './containers.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('container-env'),
    container: z.string().min(1).describe('Container name'),
    variable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).describe('The environment variable that must be set (to a non-empty value)'),
  })
  .describe('A named container has an environment variable set; its value is a secret and is never shown');
type Spec = z.infer<typeof schema>;

export const containerEnv: ProbeKind<Spec> = {
  kind: 'container-env',
  schema,
  inputs: { containers: ['container'] },
  async run(spec, { engine }) {
    const expected = `${spec.container}: ${spec.variable} set (value not shown)`;
    const found = await containerOrOutcome(engine, spec.container, expected);
    if (isOutcome(found)) return found;
    // Only whether a value exists is kept: the value itself never leaves this function.
    const entry = (found.Config.Env ?? []).find((line) => line.startsWith(`${spec.variable}=`));
    const hasValue = entry !== undefined && entry.length > spec.variable.length + 1;
    if (hasValue) {
      return outcome('pass', expected, `${spec.variable} set (value hidden)`, both(`${spec.variable} est défini (valeur masquée).`, `${spec.variable} is set (value hidden).`));
    }
    const actual = entry === undefined ? `${spec.variable} not set` : `${spec.variable} empty`;
    return outcome('fail', expected, actual, both(
      entry === undefined ? `${spec.container} n'a pas de variable ${spec.variable} : elle se passe au lancement du conteneur.` : `${spec.variable} est vide dans ${spec.container}.`,
      entry === undefined ? `${spec.container} has no ${spec.variable} variable: it is given when the container is started.` : `${spec.variable} is empty in ${spec.container}.`,
    ));
  },
};
