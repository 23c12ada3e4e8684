// "Does the same job": the files an image delivers (type, size, permission bits, and optionally content) match
// what was asked and what another image of the same exercise delivers. An "optimised" image that dropped the
// chmod or wrote a 100-byte stand-in is efficient, and still wrong.
import { z } from 'zod';
import { humanBytes } from '../analysis/bytes.js';
import { ImageRef } from '../lab/ids.js';
import { both, type Localized } from '../lab/text.js';
import { imageFileFacts, type FileFacts } from './image-file-kept.js';
import { missingImage } from './refs.js';
import { outcome, type Outcome, type ProbeClients, type ProbeKind } from './types.js';

/** Past this, content is not compared (only size and mode): a lab's deliverables are small. */
const MAX_CONTENT_BYTES = 32 * 1024 * 1024;

const Mode = z
  .string()
  .regex(/^0?[0-7]{3,4}$/, { error: 'octal permission bits such as "755"' })
  .describe('Permission bits, in octal as chmod takes them: "755"');

const FileSpec = z.strictObject({
  path: z.string().regex(/^\//, { error: 'an absolute path inside the image' }).describe('Absolute path of a regular file inside the image'),
  size: z.number().int().nonnegative().optional().describe('Its size in bytes'),
  mode: Mode.optional(),
  sameContent: z.boolean().default(false).describe('Its content must be byte for byte the one in `like` (leave false when the content is random by design)'),
});

const schema = z
  .strictObject({
    kind: z.literal('image-files'),
    ref: ImageRef.describe('The image whose files are checked (read without starting it)'),
    like: ImageRef.optional().describe('Another image that must deliver the same files: same type, size and permission bits'),
    files: z.array(FileSpec).min(1).describe('The files the image must deliver'),
  })
  .describe('An image delivers given files: regular files with the expected size and permission bits, the same as another image');
type Spec = z.infer<typeof schema>;
type FileWanted = Spec['files'][number];

const octal = (mode: number | undefined): string => (mode === undefined ? '?' : `0${(mode & 0o7777).toString(8).padStart(3, '0')}`);

function describeFile(file: FileFacts): string {
  if (!file.found) return file.reason;
  const sum = file.sha256;
  return `${humanBytes(file.size)} (${file.size} B), mode ${octal(file.mode)}${sum ? `, sha256:${sum.slice(0, 12)}` : ''}`;
}

function read(clients: ProbeClients, ref: string, path: string): Promise<FileFacts> {
  return imageFileFacts(clients, ref, path, MAX_CONTENT_BYTES);
}

/** What is wrong with one file, in the student's terms (what was found, and what it should match). */
function fileProblems(ref: string, wanted: FileWanted, file: FileFacts, like: { ref: string; file: FileFacts } | undefined): Localized[] {
  if (!file.found) {
    return file.reason === 'not-a-file'
      ? [both(`${wanted.path} n'est pas un fichier ordinaire dans ${ref}`, `${wanted.path} is not a regular file in ${ref}`)]
      : [both(`${wanted.path} est absent de ${ref}`, `${wanted.path} is missing from ${ref}`)];
  }
  const found: Localized[] = [];
  const other = like?.file.found ? like.file : undefined;
  if (wanted.size !== undefined && file.size !== wanted.size) {
    found.push(both(`${wanted.path} fait ${file.size} octets dans ${ref}, la consigne en produit ${wanted.size}`, `${wanted.path} is ${file.size} bytes in ${ref}, the instructions make ${wanted.size}`));
  } else if (other && file.size !== other.size) {
    found.push(both(`${wanted.path} fait ${file.size} octets dans ${ref}, ${other.size} dans ${like!.ref}`, `${wanted.path} is ${file.size} bytes in ${ref}, ${other.size} in ${like!.ref}`));
  }
  const mode = file.mode === undefined ? undefined : file.mode & 0o7777;
  if (wanted.mode !== undefined && mode !== Number.parseInt(wanted.mode, 8)) {
    found.push(both(`${wanted.path} a les droits ${octal(mode)} dans ${ref}, la consigne demande ${octal(Number.parseInt(wanted.mode, 8))}`, `${wanted.path} has mode ${octal(mode)} in ${ref}, the instructions ask for ${octal(Number.parseInt(wanted.mode, 8))}`));
  } else if (other && other.mode !== undefined && mode !== (other.mode & 0o7777)) {
    found.push(both(`${wanted.path} a les droits ${octal(mode)} dans ${ref}, ${octal(other.mode)} dans ${like!.ref}`, `${wanted.path} has mode ${octal(mode)} in ${ref}, ${octal(other.mode)} in ${like!.ref}`));
  }
  if (wanted.sameContent && other && file.size === other.size && file.sha256 !== other.sha256) {
    found.push(both(`le contenu de ${wanted.path} diffère de celui de ${like!.ref}`, `the content of ${wanted.path} differs from the one in ${like!.ref}`));
  }
  return found;
}

export const imageFiles: ProbeKind<Spec> = {
  kind: 'image-files',
  schema,
  inputs: { images: ['ref', 'like'] },
  async run(spec, clients): Promise<Outcome> {
    const { engine } = clients;
    const paths = spec.files.map((file) => file.path).join(', ');
    const expected = `${spec.ref} delivers ${paths}${spec.like ? ` as ${spec.like} does` : ''}`;
    if (!(await engine.inspectImage(spec.ref))) return missingImage(engine, spec.ref, expected);
    const likePresent = spec.like !== undefined && (await engine.inspectImage(spec.like)) !== null;
    const explicit = spec.files.every((file) => file.size !== undefined || file.mode !== undefined);
    if (spec.like && !likePresent && !explicit) {
      return outcome('fail', expected, `${spec.like} absent`, both(
        `Impossible de comparer : ${spec.like} est introuvable sur votre moteur Docker.`,
        `Cannot compare: ${spec.like} is not on your Docker engine.`,
      ));
    }
    const problems: Localized[] = [];
    const seen: string[] = [];
    for (const wanted of spec.files) {
      const file = await read(clients, spec.ref, wanted.path);
      const like = likePresent ? { ref: spec.like!, file: await read(clients, spec.like!, wanted.path) } : undefined;
      seen.push(`${wanted.path}: ${describeFile(file)}`);
      problems.push(...fileProblems(spec.ref, wanted, file, like));
    }
    const actual = seen.join('; ');
    if (!problems.length) return outcome('pass', expected, actual, both(`${spec.ref} livre ${paths} comme attendu.`, `${spec.ref} delivers ${paths} as expected.`));
    return outcome('fail', expected, actual, both(
      `${spec.ref} ne fait pas le même travail : ${problems.map((text) => text.fr).join(' ; ')}.`,
      `${spec.ref} does not do the same job: ${problems.map((text) => text.en).join('; ')}.`,
    ));
  },
};
