import { z } from 'zod';
import { RepositoryName } from './platform-schema.js';
import { both } from '../lab/text.js';
import { formatPlatform, samePlatform } from '../registry/platform.js';
import { entryPlatform, readListView, shortDigest, staleEntries } from './list-view.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-list-configs'),
    repository: RepositoryName,
    tag: z.string().min(1).describe('The tag of the list'),
  })
  .describe("Each image of a list is what its entry says: the config's os, architecture and variant match the entry's platform");
type Spec = z.infer<typeof schema>;

export const registryListConfigs: ProbeKind<Spec> = {
  kind: 'registry-list-configs',
  schema,
  inputs: { registry: true },
  async run(spec, { registry }) {
    const expected = "each child's config matches its platform entry";
    return guardRegistry(expected, async () => {
      const view = await readListView(registry, spec.repository, spec.tag, expected);
      if (!view.found) return view.outcome;
      const problems: Array<{ fr: string; en: string }> = [];
      for (const child of view.children) {
        const said = entryPlatform(child);
        const digest = shortDigest(child.entry.digest);
        if (!child.manifest || !child.config) {
          problems.push({ fr: `l'image ${digest} annoncée pour ${said} n'est pas dans le dépôt`, en: `image ${digest} listed for ${said} is not in the repository` });
        } else if (!child.entry.platform || !samePlatform(child.entry.platform, child.config)) {
          const inside = formatPlatform(child.config);
          problems.push({
            fr: `la liste annonce ${said} pour ${digest}, mais la configuration de cette image dit ${inside}`,
            en: `the list says ${said} for ${digest}, but that image's config says ${inside}`,
          });
        }
      }
      const summary = view.children.map((child) => `${entryPlatform(child)} → ${child.config ? formatPlatform(child.config) : 'missing'}`).join(', ');
      if (!view.children.length) return outcome('fail', expected, 'an empty list', both('La liste ne contient aucune image.', 'The list holds no image.'));
      if (problems.length) {
        const stale = await staleEntries(registry, spec.repository, spec.tag, view.children);
        return outcome('fail', expected, summary, both(
          `${problems.map((problem) => problem.fr).join(' ; ')}. ${stale?.fr ?? "Une annotation ne change pas le contenu : construisez l'image de chaque plateforme (--platform, --pull)."}`,
          `${problems.map((problem) => problem.en).join('; ')}. ${stale?.en ?? "An annotation does not change the contents: build each platform's image (--platform, --pull)."}`,
        ));
      }
      return outcome('pass', expected, summary, both(`Chaque image de la liste est bien celle de sa plateforme (${summary}).`, `Each image of the list is the one of its platform (${summary}).`));
    });
  },
};
