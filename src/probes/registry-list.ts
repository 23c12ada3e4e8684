import { z } from 'zod';
import { RepositoryName, PlatformName } from './platform-schema.js';
import { both } from '../lab/text.js';
import { canonicalPlatform, parsePlatform } from '../registry/platform.js';
import { entryPlatform, readListView } from './list-view.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-list'),
    repository: RepositoryName,
    tag: z.string().min(1).describe('The tag that must name a list'),
    platforms: z.array(PlatformName)
      .default([])
      .describe('Platforms the list must offer (os/architecture[/variant]); arm64 and arm64/v8 are the same'),
  })
  .describe('A tag of the lab registry names a multi-platform list (Docker manifest list or OCI index) offering these platforms');
type Spec = z.infer<typeof schema>;

export const registryList: ProbeKind<Spec> = {
  kind: 'registry-list',
  schema,
  inputs: { registry: true },
  async run(spec, { registry }) {
    const expected = spec.platforms.length ? `a list offering ${spec.platforms.join(', ')}` : 'a multi-platform list';
    return guardRegistry(expected, async () => {
      const view = await readListView(registry, spec.repository, spec.tag, expected);
      if (!view.found) return view.outcome;
      const offered = view.children.map(entryPlatform);
      const canonical = new Set(view.children.flatMap((child) => (child.entry.platform ? [canonicalPlatform(child.entry.platform)] : [])));
      const missing = spec.platforms.filter((platform) => !canonical.has(canonicalPlatform(parsePlatform(platform)!)));
      const actual = `list of ${offered.join(', ') || 'nothing'}`;
      const name = `${registry.address}/${spec.repository}:${spec.tag}`;
      if (missing.length) {
        return outcome('fail', expected, actual, both(
          `${name} est une liste de ${offered.join(', ') || 'rien'} : il y manque ${missing.join(', ')}.`,
          `${name} is a list of ${offered.join(', ') || 'nothing'}: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing.`,
        ));
      }
      return outcome('pass', expected, actual, both(`${name} : liste de ${offered.join(', ')}.`, `${name}: a list of ${offered.join(', ')}.`));
    });
  },
};
