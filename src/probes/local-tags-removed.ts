import { z } from 'zod';
import { both } from '../lab/text.js';
import { isDayStamp } from './dated.js';
import { tagsOfRepository } from './refs.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('local-tags-removed'),
    repository: z.string().regex(/^[a-z0-9][a-z0-9._\/:-]*$/).describe('Local repository, e.g. myapp'),
    removed: z.array(z.string().min(1)).default([]).describe('Tags that must no longer exist locally'),
    dateTags: z.boolean().default(false).describe('No YYYYMMDD tag may be left either'),
    kept: z.array(z.string().min(1)).default([]).describe('Tags that must still exist (the cleanup removed names, not the image)'),
  })
  .describe('A cleanup of local convenience tags: these tags of a repository are gone from the engine, those kept are still there');
type Spec = z.infer<typeof schema>;

export const localTagsRemoved: ProbeKind<Spec> = {
  kind: 'local-tags-removed',
  schema,
  inputs: { images: 'any' },
  async run(spec, { engine }) {
    const gone = [...spec.removed, ...(spec.dateTags ? ['YYYYMMDD'] : [])];
    const expected = `${spec.repository}: no ${gone.join(', ')}${spec.kept.length ? `; still ${spec.kept.join(', ')}` : ''}`;
    const tags = (await tagsOfRepository(engine, spec.repository)).map((ref) => ref.slice(spec.repository.length + 1));
    const actual = `${spec.repository}: ${tags.join(', ') || 'no tag'}`;
    const left = tags.filter((tag) => spec.removed.includes(tag) || (spec.dateTags && isDayStamp(tag)));
    if (left.length) {
      return outcome('fail', expected, actual, both(
        `Ces tags locaux de ${spec.repository} sont encore là : ${left.join(', ')}.`,
        `These local tags of ${spec.repository} are still there: ${left.join(', ')}.`,
      ));
    }
    const lost = spec.kept.filter((tag) => !tags.includes(tag));
    if (lost.length) {
      return outcome('fail', expected, actual, both(
        `Le nettoyage a aussi retiré ${lost.map((tag) => `${spec.repository}:${tag}`).join(', ')}, qui devai(en)t rester.`,
        `The cleanup also removed ${lost.map((tag) => `${spec.repository}:${tag}`).join(', ')}, which should have stayed.`,
      ));
    }
    return outcome('pass', expected, actual, both(`Les tags de commodité de ${spec.repository} sont retirés.`, `The convenience tags of ${spec.repository} are removed.`));
  },
};
