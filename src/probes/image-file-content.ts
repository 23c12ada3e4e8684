import { z } from 'zod';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { readImageFile } from './image-file-kept.js';
import { outcome, type ProbeKind } from './types.js';
import { missingImage } from './refs.js';

/** Pages and config files are small: reading more than this would only slow the check down. */
const MAX_BYTES = 64 * 1024;

const schema = z
  .strictObject({
    kind: z.literal('image-file-content'),
    ref: ImageRef.describe('The image the file is read from (without starting it)'),
    path: z.string().regex(/^\//, { error: 'an absolute path inside the image, e.g. /usr/share/nginx/html/index.html' }).describe('Absolute path of the file inside the image'),
    contains: z.string().min(1).describe('Text the file must contain'),
    ignoreCase: z.boolean().default(true).describe('Compare without regard to case'),
    differsFrom: ImageRef.optional().describe('The file must not be the very same as in this image (e.g. the base it was changed from)'),
  })
  .describe('A file inside an image contains a text (read from the image without running it)');
type Spec = z.infer<typeof schema>;

/** The start of the file on one line, so a student sees what the image really holds. */
function excerpt(text: string, max = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line || '(empty)';
}

function includes(text: string, wanted: string, ignoreCase: boolean): boolean {
  return ignoreCase ? text.toLowerCase().includes(wanted.toLowerCase()) : text.includes(wanted);
}

export const imageFileContent: ProbeKind<Spec> = {
  kind: 'image-file-content',
  schema,
  inputs: { images: ['ref', 'differsFrom'] },
  async run(spec, clients) {
    const { engine } = clients;
    const expected = `${spec.path} in ${spec.ref} contains "${spec.contains}"`;
    const file = await readImageFile(clients, spec.ref, spec.path, MAX_BYTES);
    if (!file.found && file.reason === 'no-image') return missingImage(engine, spec.ref, expected);
    if (!file.found) {
      const what = file.reason === 'no-file' ? both('n\'existe pas', 'does not exist') : both('n\'est pas un fichier ordinaire', 'is not a regular file');
      return outcome('fail', expected, `${spec.path} ${file.reason}`, both(`Dans ${spec.ref}, ${spec.path} ${what.fr}.`, `In ${spec.ref}, ${spec.path} ${what.en}.`));
    }
    const text = file.content.toString('utf8');
    const actual = `${spec.path}: ${excerpt(text)}`;
    if (spec.differsFrom) {
      const original = await readImageFile(clients, spec.differsFrom, spec.path, MAX_BYTES);
      // Unchanged: the edit was made somewhere that never reached the image (another container, the host...).
      if (original.found && original.content.equals(file.content)) {
        return outcome('fail', expected, `${spec.path}: unchanged from ${spec.differsFrom}`, both(
          `${spec.path} dans ${spec.ref} est toujours celui de ${spec.differsFrom} : la modification n'est pas arrivée dans l'image.`,
          `${spec.path} in ${spec.ref} is still the one of ${spec.differsFrom}: the change did not reach the image.`,
        ));
      }
    }
    if (includes(text, spec.contains, spec.ignoreCase)) {
      return outcome('pass', expected, actual, both(`${spec.path} contient « ${spec.contains} ».`, `${spec.path} contains "${spec.contains}".`));
    }
    return outcome('fail', expected, actual, both(
      `${spec.path} dans ${spec.ref} ne contient pas « ${spec.contains} » ; il commence par : ${excerpt(text)}`,
      `${spec.path} in ${spec.ref} does not contain "${spec.contains}"; it starts with: ${excerpt(text)}`,
    ));
  },
};
