import { z } from 'zod';
import { ImageRef } from '../lab/ids.js';
import { namingParts, type NamingParts } from '../reference.js';
import type { FactKind } from './types.js';

const PARTS = ['registry', 'namespace', 'name', 'version', 'variant'] as const satisfies ReadonlyArray<keyof NamingParts>;

const schema = z
  .strictObject({
    kind: z.literal('reference-part'),
    ref: ImageRef.describe('The reference written in the question (read by the parser, not looked up anywhere)'),
    part: z.enum(PARTS).describe('The part of [registry/][namespace/]name:version[-variant] that is the answer'),
  })
  .describe("One part of an image reference, as the project's reference parser (the distribution grammar) reads it");
type Spec = z.infer<typeof schema>;

/** Docker Hub goes by several names: the engine says docker.io, the CLI's login and the web site others. */
const HUB_NAMES = ['index.docker.io', 'registry-1.docker.io', 'hub.docker.com', 'docker hub'];

export const referencePartFact: FactKind<Spec> = {
  kind: 'reference-part',
  schema,
  inputs: {},
  async read(spec) {
    const parts = namingParts(spec.ref)!;
    const value = parts[spec.part];
    // An absent part (no variant, no namespace) is answered "none": the matcher reads the usual words for it.
    if (value === undefined) return { value: '' };
    return spec.part === 'registry' && value === 'docker.io' ? { value, synonyms: HUB_NAMES } : { value };
  },
};
