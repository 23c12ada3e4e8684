import { z } from 'zod';
import { both } from '../lab/text.js';
import { RepositoryPath } from '../lab/ids.js';
import { listTags, manifestDigest } from '../registry/api.js';
import { releasedVersion } from './release-version.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type ProbeKind } from './types.js';
import { releaseTags } from '../versions.js';

const schema = z
  .strictObject({
    kind: z.literal('release-tags'),
    repository: RepositoryPath.describe('The released repository in the lab registry'),
    versionFile: z.string().regex(/^[^/]/).default('VERSION').describe('Where the released version is read, relative to the workdir'),
  })
  .describe("The registry's NEW, MAJOR.MINOR, MAJOR and latest tags of the version in the version file share one manifest digest");
type Spec = z.infer<typeof schema>;

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export const releaseTagsProbe: ProbeKind<Spec> = {
  kind: 'release-tags',
  schema,
  inputs: { files: ['versionFile'], registry: true },
  async run(spec, { files, registry }) {
    const expected = `${registry.address}/${spec.repository}: NEW, MAJOR.MINOR, MAJOR and latest on one digest`;
    const version = await releasedVersion(files, spec.versionFile, expected);
    if (typeof version !== 'string') return version;
    const tags = releaseTags(version);
    const ref = `${registry.address}/${spec.repository}`;
    return guardRegistry(expected, async () => {
      const digests = await Promise.all(tags.map((tag) => manifestDigest(registry, spec.repository, tag)));
      const actual = tags.map((tag, i) => `${tag}=${digests[i] ? short(digests[i]) : 'absent'}`).join(', ');
      const missing = tags.filter((_, i) => !digests[i]);
      if (missing.length) {
        return outcome('fail', expected, actual, both(
          `Il manque à ${ref} le(s) tag(s) ${missing.join(', ')} de la version ${version} (lue dans ${spec.versionFile}).`,
          `${ref} lacks the tag(s) ${missing.join(', ')} of version ${version} (read from ${spec.versionFile}).`,
        ));
      }
      const release = digests[0]!;
      const stray = tags.findIndex((_, i) => digests[i] !== release);
      if (stray >= 0) {
        // Name the other tags on the stray digest: "latest is still 1.9.9" says what happened.
        const listed = await listTags(registry, spec.repository);
        const others = listed.found ? listed.tags.filter((tag) => !tags.includes(tag)) : [];
        const otherDigests = await Promise.all(others.map((tag) => manifestDigest(registry, spec.repository, tag)));
        const same = others.filter((_, i) => otherDigests[i] === digests[stray]);
        const tag = tags[stray]!;
        const where = same.length ? ` (celui de ${same.join(', ')})` : '';
        const whereEn = same.length ? ` (the one of ${same.join(', ')})` : '';
        return outcome('fail', expected, actual, both(
          `${ref}:${tag} est sur ${short(digests[stray]!)}${where}, pas sur la version ${version} (${short(release)}) : ${tag === 'latest' ? "latest est resté sur l'ancienne version" : 'ce tag flottant n\'a pas suivi'}. Retaguez et repoussez-le.`,
          `${ref}:${tag} is on ${short(digests[stray]!)}${whereEn}, not on version ${version} (${short(release)}): ${tag === 'latest' ? 'latest was left on the old version' : 'this floating tag did not follow'}. Tag and push it again.`,
        ));
      }
      return outcome('pass', expected, actual, both(
        `${ref} : ${tags.join(', ')} désignent la même image (${short(release)}).`,
        `${ref}: ${tags.join(', ')} name the same image (${short(release)}).`,
      ));
    });
  },
};
