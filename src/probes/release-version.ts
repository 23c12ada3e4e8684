import semver from 'semver';
import { z } from 'zod';
import { both } from '../lab/text.js';
import type { FileAccess } from '../files/types.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('release-version'),
    path: z.string().regex(/^[^/]/).default('VERSION').describe('The version file, relative to the workdir'),
  })
  .describe('The version file holds one semantic version, MAJOR.MINOR.PATCH');
type Spec = z.infer<typeof schema>;

/** The version the file holds, or the `fail` outcome saying why it holds none. Shared by the release probes. */
export async function releasedVersion(files: FileAccess, path: string, expected: string): Promise<string | Outcome> {
  const info = await files.stat(path);
  if (!info?.isFile) {
    return outcome('fail', expected, `${path} absent`, both(
      `${path} est introuvable dans votre dossier de travail : publiez une version avec votre script.`,
      `${path} is not in your working directory: release a version with your script.`,
    ));
  }
  const text = (await files.readText(path, 1024)).trim();
  if (semver.valid(text) === text) return text;
  const loose = semver.valid(text);
  return outcome('fail', expected, `${path}: ${JSON.stringify(text.slice(0, 40))}`, loose
    ? both(`${path} contient « ${text} » : écrivez la version seule, ${loose} (le v va dans le tag git).`, `${path} holds "${text}": write the bare version, ${loose} (the v belongs in the git tag).`)
    : both(`${path} contient « ${text.slice(0, 40)} », qui n'est pas une version MAJOR.MINOR.PATCH comme 1.4.2.`, `${path} holds "${text.slice(0, 40)}", which is not a MAJOR.MINOR.PATCH version such as 1.4.2.`));
}

export const releaseVersion: ProbeKind<Spec> = {
  kind: 'release-version',
  schema,
  inputs: { files: ['path'] },
  async run(spec, { files }) {
    const expected = `${spec.path} holds a semantic version`;
    const version = await releasedVersion(files, spec.path, expected);
    if (typeof version !== 'string') return version;
    return outcome('pass', expected, version, both(`${spec.path} : version ${version}.`, `${spec.path}: version ${version}.`));
  },
};
