import { z } from 'zod';
import { both } from '../lab/text.js';
import { isDayStamp } from './dated.js';
import type { EngineClient } from '../engine/types.js';
import { familiarRepository } from '../reference.js';
import { covers, floatingTagStanding, isReleaseTag } from '../versions.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('local-tags-removed'),
    repository: z.string().regex(/^[a-z0-9][a-z0-9._\/:-]*$/).describe('Local repository, e.g. myapp'),
    removed: z.array(z.string().min(1)).default([]).describe('Tags that must no longer exist locally'),
    dateTags: z.boolean().default(false).describe('No YYYYMMDD tag may be left either'),
    kept: z.array(z.string().min(1)).default([]).describe('Tags that must still exist (the cleanup removed names, not the image)'),
    release: z.string().refine(isReleaseTag, { error: 'a version such as 1.0.0' }).optional()
      .describe('The version these tags were made for: a floating tag of it (1, 1.0) on a newer local release it covers was put back by that release, not left behind'),
  })
  .describe('A cleanup of local convenience tags: these tags of a repository are gone from the engine, those kept are still there');
type Spec = z.infer<typeof schema>;

/** tag → image ID of every local tag of the repository. */
async function imageIdsByTag(engine: EngineClient, repository: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const image of await engine.listImages({ reference: [repository] })) {
    for (const ref of image.RepoTags ?? []) {
      if (ref !== '<none>:<none>' && familiarRepository(ref) === repository) ids.set(ref.slice(repository.length + 1), image.Id);
    }
  }
  return ids;
}

/** The newer local release a floating tag of `release` now names (and covers), if any. */
function newerRelease(release: string | undefined, tag: string, ids: Map<string, string>): string | undefined {
  if (!release || !covers(tag, release)) return undefined;
  const sameImage = [...ids].filter(([other, id]) => other !== tag && id === ids.get(tag)).map(([other]) => other);
  const standing = floatingTagStanding(tag, release, sameImage);
  return standing.standing === 'follows' ? standing.release : undefined;
}

export const localTagsRemoved: ProbeKind<Spec> = {
  kind: 'local-tags-removed',
  schema,
  inputs: { images: 'any' },
  async run(spec, { engine }) {
    const gone = [...spec.removed, ...(spec.dateTags ? ['YYYYMMDD'] : [])];
    const expected = `${spec.repository}: no ${gone.join(', ')}${spec.kept.length ? `; still ${spec.kept.join(', ')}` : ''}`;
    const ids = await imageIdsByTag(engine, spec.repository);
    const tags = [...ids.keys()].sort();
    const actual = `${spec.repository}: ${tags.join(', ') || 'no tag'}`;
    const listed = tags.filter((tag) => spec.removed.includes(tag) || (spec.dateTags && isDayStamp(tag)));
    const moved = listed.map((tag) => ({ tag, release: newerRelease(spec.release, tag, ids) })).filter((entry): entry is { tag: string; release: string } => entry.release !== undefined);
    const left = listed.filter((tag) => !moved.some((entry) => entry.tag === tag));
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
    if (moved.length) {
      const which = moved.map(({ tag, release }) => `${tag} (${release})`).join(', ');
      return outcome('pass', expected, actual, both(
        `Les tags de commodité de ${spec.repository} sont retirés ; ${which} désigne(nt) maintenant une version plus récente, qui les a reposés.`,
        `The convenience tags of ${spec.repository} are removed; ${which} now name(s) a newer release, which put them back.`,
      ));
    }
    return outcome('pass', expected, actual, both(`Les tags de commodité de ${spec.repository} sont retirés.`, `The convenience tags of ${spec.repository} are removed.`));
  },
};
