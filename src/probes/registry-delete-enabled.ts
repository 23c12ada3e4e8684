import { z } from 'zod';
import { RepositoryPath } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { deletionEnabled } from '../registry/api.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-delete-enabled'),
    repository: RepositoryPath.default('tp7-probe').describe('Repository used for the test deletion (nothing is deleted)'),
    enabled: z.boolean().default(true).describe('Whether deletion must be enabled'),
  })
  .describe(
    "Whether the lab's registry accepts deletions, told from its answer to deleting a digest no manifest has (404 when enabled, 405 UNSUPPORTED when not): nothing is deleted and the config file is not read",
  );
type Spec = z.infer<typeof schema>;

export const registryDeleteEnabled: ProbeKind<Spec> = {
  kind: 'registry-delete-enabled',
  schema,
  inputs: { registry: true },
  async run(spec, { registry }) {
    const expected = `deletion ${spec.enabled ? 'enabled' : 'disabled'} on ${registry.address}`;
    return guardRegistry(expected, async () => {
      const { enabled, answer } = await deletionEnabled(registry, spec.repository);
      const actual = `deletion ${enabled ? 'enabled' : 'disabled'} (DELETE answered ${answer})`;
      if (enabled === spec.enabled) {
        return outcome('pass', expected, actual, both(
          `Le registre ${enabled ? 'accepte' : 'refuse'} les suppressions (${answer}).`,
          `The registry ${enabled ? 'accepts' : 'refuses'} deletions (${answer}).`,
        ));
      }
      return outcome('fail', expected, actual, both(
        enabled
          ? `Le registre accepte les suppressions (${answer}), alors qu'elles devraient être désactivées.`
          : `Le registre refuse les suppressions (${answer}) : sa configuration ne les active pas, ou ce n'est pas votre config.yml qu'il lit.`,
        enabled
          ? `The registry accepts deletions (${answer}), though they should be disabled.`
          : `The registry refuses deletions (${answer}): its configuration does not enable them, or it is not reading your config.yml.`,
      ));
    });
  },
};
