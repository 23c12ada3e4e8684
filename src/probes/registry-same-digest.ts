import { z } from 'zod';
import { shortId } from '../engine/attributes.js';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { listTags, manifestDigest } from '../registry/api.js';
import { newestDayStamp } from './dated.js';
import { pushedDigests } from './pushed-digests.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-same-digest'),
    repository: z.string().regex(/^[a-z0-9][a-z0-9._\/-]*$/).describe('Repository in the lab registry, without the registry address'),
    tags: z.array(z.string().min(1)).min(1).describe('Tags that must all name one manifest; the first is the reference'),
    dateTag: z.boolean().default(false).describe('A YYYYMMDD tag must be there too (the newest one is judged)'),
    image: ImageRef.optional().describe('The local image the reference tag must have been pushed from (its RepoDigests)'),
  })
  .describe("Several tags of a repository in the lab registry resolve to the same manifest digest (one push of one image)");
type Spec = z.infer<typeof schema>;

async function judge(spec: Spec, expected: string, clients: Parameters<ProbeKind<Spec>['run']>[1]): Promise<Outcome> {
  const { registry, engine } = clients;
  const ref = `${registry.address}/${spec.repository}`;
  const listed = await listTags(registry, spec.repository);
  const present = listed.found ? listed.tags : [];
  const dateTag = spec.dateTag ? newestDayStamp(present) : undefined;
  const wanted = [...spec.tags, ...(dateTag ? [dateTag] : [])];
  const missing = spec.tags.filter((tag) => !present.includes(tag));
  if (spec.dateTag && !dateTag) missing.push('YYYYMMDD');
  if (missing.length) {
    return outcome('fail', expected, `${ref}: ${present.join(', ') || 'no tag'}`, both(
      `Il manque à ${ref} : ${missing.join(', ')}${present.length ? ` (présents : ${present.join(', ')})` : ' (aucun tag)'}.`,
      `${ref} lacks: ${missing.join(', ')}${present.length ? ` (present: ${present.join(', ')})` : ' (no tag)'}.`,
    ));
  }
  const digests = new Map<string, string | null>();
  for (const tag of wanted) digests.set(tag, await manifestDigest(registry, spec.repository, tag));
  const reference = spec.tags[0]!;
  const digest = digests.get(reference);
  const actual = wanted.map((tag) => `${tag} → ${digests.get(tag) ? shortId(digests.get(tag)!) : 'none'}`).join(', ');
  if (!digest) return outcome('fail', expected, actual, both(`${ref}:${reference} n'a pas de manifest.`, `${ref}:${reference} has no manifest.`));
  const others = wanted.filter((tag) => digests.get(tag) !== digest);
  if (others.length) {
    const named = others.map((tag) => `${tag} → ${shortId(digests.get(tag) ?? 'none')}`).join(', ');
    return outcome('fail', expected, actual, both(
      `Ces tags ne désignent pas le manifest de ${reference} (${shortId(digest)}) : ${named}. Un tag poussé depuis une autre image, ou resté sur une ancienne version ?`,
      `These tags do not name the manifest of ${reference} (${shortId(digest)}): ${named}. A tag pushed from another image, or left on an older version?`,
    ));
  }
  if (spec.image) {
    const local = await engine.inspectImage(spec.image);
    const pushed = local ? pushedDigests(local, registry.address, spec.repository) : [];
    if (!pushed.includes(digest)) {
      return outcome('fail', expected, `${actual}; ${spec.image}: ${local ? `pushed as ${pushed.map(shortId).join(', ') || 'nothing'}` : 'absent'}`, both(
        local
          ? `Les tags de ${ref} désignent ${shortId(digest)}, qui n'est pas l'image ${spec.image} de votre moteur (poussée : ${pushed.map(shortId).join(', ') || 'jamais'}).`
          : `${spec.image} n'est pas sur votre moteur : impossible de dire si les tags de ${ref} viennent d'elle.`,
        local
          ? `The tags of ${ref} name ${shortId(digest)}, which is not the image ${spec.image} of your engine (pushed as: ${pushed.map(shortId).join(', ') || 'never'}).`
          : `${spec.image} is not on your engine, so whether the tags of ${ref} come from it cannot be told.`,
      ));
    }
  }
  return outcome('pass', expected, actual, both(
    `Les ${wanted.length} tags de ${ref} désignent un seul manifest (${shortId(digest)}).`,
    `The ${wanted.length} tags of ${ref} name one manifest (${shortId(digest)}).`,
  ));
}

export const registrySameDigest: ProbeKind<Spec> = {
  kind: 'registry-same-digest',
  schema,
  inputs: { registry: true, images: ['image'] },
  run(spec, clients) {
    const expected = `${clients.registry.address}/${spec.repository}:{${[...spec.tags, ...(spec.dateTag ? ['YYYYMMDD'] : [])].join(',')}} → one digest`;
    return guardRegistry(expected, () => judge(spec, expected, clients));
  },
};
