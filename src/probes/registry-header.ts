import { z } from 'zod';
import { both } from '../lab/text.js';
import { unexpectedAnswer } from '../registry/api.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-header'),
    header: z.string().regex(/^[A-Za-z0-9-]+$/).describe('HTTP response header name, e.g. X-Content-Type-Options'),
    value: z.string().min(1).describe('The value it must have (compared without regard to case)'),
    path: z.string().startsWith('/v2/').default('/v2/').describe('The API path asked (GET)'),
  })
  .describe("The lab's registry sends an HTTP header with a given value");
type Spec = z.infer<typeof schema>;

export const registryHeader: ProbeKind<Spec> = {
  kind: 'registry-header',
  schema,
  inputs: { registry: true },
  async run(spec, { registry }) {
    const expected = `${spec.header}: ${spec.value}`;
    return guardRegistry(expected, async () => {
      const response = await registry.request('GET', spec.path);
      if (response.status !== 200) throw unexpectedAnswer(registry, 'GET', spec.path, response);
      const value = response.headers[spec.header.toLowerCase()];
      const actual = value === undefined ? `no ${spec.header} header` : `${spec.header}: ${value}`;
      if (value !== undefined && value.split(',').some((part) => part.trim().toLowerCase() === spec.value.toLowerCase())) {
        return outcome('pass', expected, actual, both(`${registry.address} envoie ${expected}.`, `${registry.address} sends ${expected}.`));
      }
      return outcome('fail', expected, actual, both(
        value === undefined
          ? `${registry.address} n'envoie pas l'en-tête ${spec.header} : la section http.headers de la configuration du registre le déclare.`
          : `${registry.address} envoie ${spec.header}: ${value}, pas ${spec.value}.`,
        value === undefined
          ? `${registry.address} does not send the ${spec.header} header: the http.headers section of the registry's configuration declares it.`
          : `${registry.address} sends ${spec.header}: ${value}, not ${spec.value}.`,
      ));
    });
  },
};
