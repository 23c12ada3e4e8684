import { z } from 'zod';
import { RepositoryPath } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { listRepositories, listTags } from '../registry/api.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-tags'),
    repository: RepositoryPath.describe('Repository name in the registry, without the registry address'),
    tags: z.array(z.string().min(1)).min(1).describe('Tags the repository must have'),
  })
  .describe("A repository is in the lab registry's catalog (every page followed) with these tags");
type Spec = z.infer<typeof schema>;

export const registryTags: ProbeKind<Spec> = {
  kind: 'registry-tags',
  schema,
  async run(spec, { registry }) {
    const ref = `${registry.address}/${spec.repository}`;
    const expected = `${ref}:{${spec.tags.join(',')}}`;
    return guardRegistry(expected, async () => {
      const repositories = await listRepositories(registry);
      if (!repositories.includes(spec.repository)) {
        return outcome('fail', expected, `catalog: ${repositories.join(', ') || 'empty'}`, both(
          `Le registre ${registry.address} ne contient pas de dépôt ${spec.repository}${repositories.length ? ` (dépôts : ${repositories.join(', ')})` : ' (il est vide)'}.`,
          `Registry ${registry.address} has no ${spec.repository} repository${repositories.length ? ` (repositories: ${repositories.join(', ')})` : ' (it is empty)'}.`,
        ));
      }
      const listed = await listTags(registry, spec.repository);
      const tags = listed.found ? listed.tags : [];
      const actual = `${ref}: ${tags.join(', ') || 'no tag'}`;
      const missing = spec.tags.filter((tag) => !tags.includes(tag));
      if (!missing.length) {
        return outcome('pass', expected, actual, both(`${ref} a les tags ${spec.tags.join(', ')}.`, `${ref} has the tags ${spec.tags.join(', ')}.`));
      }
      return outcome('fail', expected, actual, both(
        `Il manque à ${ref} le(s) tag(s) ${missing.join(', ')}${tags.length ? ` (présents : ${tags.join(', ')})` : ' (aucun tag)'}.`,
        `${ref} lacks the tag(s) ${missing.join(', ')}${tags.length ? ` (present: ${tags.join(', ')})` : ' (no tag)'}.`,
      ));
    });
  },
};
