import { z } from 'zod';
import { shortId } from '../engine/attributes.js';
import { ImageRef } from '../lab/ids.js';
import { both, type Localized } from '../lab/text.js';
import type { RegistryClient } from '../registry/types.js';
import { covers, floatingTagStanding, isReleaseTag, type Standing } from '../versions.js';
import { listTags, manifestDigest } from '../registry/api.js';
import { newestDayStamp } from './dated.js';
import { pushedDigests } from '../engine/store.js';
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
  const strays = wanted.filter((tag) => digests.get(tag) !== digest);
  const { moved, wrong } = await sortStrays(clients.registry, spec.repository, reference, strays, digests, present);
  if (wrong.length) {
    const named = (lang: 'fr' | 'en') => wrong.map(({ tag, why }) => `${tag} → ${shortId(digests.get(tag) ?? 'none')}${why ? ` (${why[lang]})` : ''}`).join(', ');
    return outcome('fail', expected, actual, both(
      `Ces tags ne désignent pas le manifest de ${reference} (${shortId(digest)}) : ${named('fr')}. Un tag poussé depuis une autre image, ou resté sur une ancienne version ?`,
      `These tags do not name the manifest of ${reference} (${shortId(digest)}): ${named('en')}. A tag pushed from another image, or left on an older version?`,
    ));
  }
  if (spec.image) {
    const local = await engine.inspectImage(spec.image);
    const pushed = local ? await pushedDigests(engine, local, registry.address, spec.repository) : [];
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
  if (moved.length) {
    const releases = [...new Set(moved.map(({ release }) => release))];
    const lines = releases.map((release) => ({ release, tags: moved.filter((entry) => entry.release === release).map(({ tag }) => tag).join(', ') }));
    return outcome('pass', expected, actual, both(
      `Les tags de ${ref} désignent un seul manifest (${shortId(digest)}), sauf ${lines.map(({ tags, release }) => `${tags}, qui ont suivi la version ${release}, plus récente`).join(' ; ')} : un tag flottant suit la dernière version qu'il couvre.`,
      `The tags of ${ref} name one manifest (${shortId(digest)}), but for ${lines.map(({ tags, release }) => `${tags}, which moved with release ${release}, a newer one`).join('; ')}: a floating tag follows the newest release it covers.`,
    ));
  }
  return outcome('pass', expected, actual, both(
    `Les ${wanted.length} tags de ${ref} désignent un seul manifest (${shortId(digest)}).`,
    `The ${wanted.length} tags of ${ref} name one manifest (${shortId(digest)}).`,
  ));
}

type Stray = { tag: string; why?: Localized };

/**
 * Splits the tags that left the reference's manifest: a floating tag of the reference version (latest, 1, 1.0
 * of 1.0.0) on a newer release it covers moved on purpose (exercise 9's release does that); every other one is
 * wrong, and a floating tag says which release it went to, if any.
 */
async function sortStrays(registry: RegistryClient, repository: string, reference: string, strays: string[], digests: Map<string, string | null>, present: string[]): Promise<{ moved: Array<{ tag: string; release: string }>; wrong: Stray[] }> {
  const moved: Array<{ tag: string; release: string }> = [];
  const wrong: Stray[] = [];
  const floating = strays.filter((tag) => covers(tag, reference));
  const releases = floating.length ? await releaseDigests(registry, repository, present.filter((tag) => isReleaseTag(tag) && tag !== reference)) : new Map<string, string>();
  for (const tag of strays) {
    if (!floating.includes(tag)) {
      wrong.push({ tag });
      continue;
    }
    const on = [...releases].filter(([, found]) => found === digests.get(tag)).map(([release]) => release);
    const standing = floatingTagStanding(tag, reference, on);
    if (standing.standing === 'follows') moved.push({ tag, release: standing.release });
    else wrong.push({ tag, why: strayReason(tag, reference, standing) });
  }
  return { moved, wrong };
}

/** The digest of each release tag (tags that vanished meanwhile are left out). */
async function releaseDigests(registry: RegistryClient, repository: string, tags: string[]): Promise<Map<string, string>> {
  const found = await Promise.all(tags.map(async (tag) => [tag, await manifestDigest(registry, repository, tag)] as const));
  return new Map(found.filter((entry): entry is readonly [string, string] => entry[1] !== null));
}

function strayReason(tag: string, reference: string, standing: Exclude<Standing, { standing: 'follows' }>): Localized {
  if (standing.standing === 'older') {
    return both(
      `la version ${standing.release}, pas plus récente que ${reference} : un tag flottant ne suit que les versions plus récentes`,
      `release ${standing.release}, not newer than ${reference}: a floating tag only follows newer releases`,
    );
  }
  if (standing.standing === 'outside') {
    return both(`la version ${standing.release}, que ${tag} ne couvre pas`, `release ${standing.release}, which ${tag} does not cover`);
  }
  return both('aucune version du dépôt ne désigne cette image', 'no release tag of the repository names that image');
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
