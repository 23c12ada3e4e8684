import { z } from 'zod';
import { RepositoryPath } from '../lab/ids.js';
import { manifestDigest } from '../registry/api.js';
import { RegistryError } from '../registry/errors.js';
import type { FactKind } from './types.js';
import { both } from '../lab/text.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-digest'),
    repository: RepositoryPath.describe("Repository in the lab's registry, without its address"),
    tag: z.string().min(1).describe('The tag whose manifest digest is the answer'),
  })
  .describe(
    "The manifest digest the lab's registry gives repository:tag when asked with every manifest Accept type (Docker-Content-Digest): the digest docker push prints",
  );
type Spec = z.infer<typeof schema>;

export const registryDigestFact: FactKind<Spec> = {
  kind: 'registry-digest',
  schema,
  inputs: { registry: true },
  async read(spec, { registry }) {
    try {
      const digest = await manifestDigest(registry, spec.repository, spec.tag);
      return digest ? { value: digest } : { value: null, missing: both(`${registry.address}/${spec.repository}:${spec.tag} n'est pas dans le registre`, `${registry.address}/${spec.repository}:${spec.tag} is not in the registry`) };
    } catch (error) {
      // A registry that is down is a reason the answer cannot be judged yet, not a crash of `tp7 answer`.
      if (error instanceof RegistryError) return { value: null, missing: error.text };
      throw error;
    }
  },
};
