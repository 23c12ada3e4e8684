import { z } from 'zod';
import { both } from '../lab/text.js';
import { gitTagKind } from '../scripts/git-repo.js';
import { scriptHostOf } from '../scripts/local-host.js';
import { releasedVersion } from './release-version.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('release-git-tag'),
    versionFile: z.string().regex(/^[^/]/).default('VERSION').describe('Where the released version is read, relative to the workdir'),
    prefix: z.string().default('v').describe('What comes before the version in the tag name'),
  })
  .describe("The student's git repository (the workdir) has the annotated tag of the version in the version file");
type Spec = z.infer<typeof schema>;

export const releaseGitTag: ProbeKind<Spec> = {
  kind: 'release-git-tag',
  schema,
  inputs: { files: 'any' },
  async run(spec, clients) {
    const { files, workdir } = clients;
    const expected = `annotated git tag ${spec.prefix}<${spec.versionFile}>`;
    const version = await releasedVersion(files, spec.versionFile, expected);
    if (typeof version !== 'string') return version;
    const tag = `${spec.prefix}${version}`;
    const kind = await gitTagKind(scriptHostOf(clients), workdir, tag);
    switch (kind) {
      case 'annotated':
        return outcome('pass', expected, `${tag}: annotated`, both(`Le tag git annoté ${tag} existe.`, `The annotated git tag ${tag} exists.`));
      case 'lightweight':
        return outcome('fail', expected, `${tag}: lightweight`, both(
          `${tag} est un tag git léger (un simple nom sur un commit) : une version se marque d'un tag annoté, qui garde auteur, date et message (git tag -a).`,
          `${tag} is a lightweight git tag (a bare name on a commit): a release is marked by an annotated tag, which keeps author, date and message (git tag -a).`,
        ));
      case 'missing':
        return outcome('fail', expected, `${tag}: absent`, both(`Aucun tag git ${tag} dans votre dépôt (git tag -l).`, `No git tag ${tag} in your repository (git tag -l).`));
      case 'no-repository':
        return outcome('fail', expected, 'not a git repository', both(
          "Votre dossier de travail n'est pas un dépôt git : le script doit y créer le tag de la version (git init, puis un premier commit).",
          'Your working directory is not a git repository: the script must make the release tag there (git init, then a first commit).',
        ));
    }
  },
};
