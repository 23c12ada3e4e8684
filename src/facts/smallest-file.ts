import { z } from 'zod';
import type { FactKind } from './types.js';
import { both } from '../lab/text.js';

const schema = z
  .strictObject({
    kind: z.literal('smallest-file'),
    files: z
      .array(
        z.strictObject({
          path: z.string().min(1).describe('A file of the workdir'),
          answer: z.string().min(1).describe('What the student answers when this file is the smallest (e.g. xz)'),
          aliases: z.array(z.string().min(1)).default([]).describe('Other names of that answer (e.g. lzma for xz); the file name and its extension are accepted too'),
        }),
      )
      .min(2)
      .describe('The files compared, each with the answer that names it'),
  })
  .describe("Which of the student's files is the smallest on disk (sizes read from the workdir)");
type Spec = z.infer<typeof schema>;

export const smallestFileFact: FactKind<Spec> = {
  kind: 'smallest-file',
  schema,
  inputs: { files: ['files.path'] },
  async read(spec, { files }) {
    const sizes = await Promise.all(spec.files.map(async (file) => ({ ...file, info: await files.stat(file.path) })));
    const missing = sizes.filter((file) => !file.info?.isFile).map((file) => file.path);
    if (missing.length) return { value: null, missing: both(`${missing.join(', ')} absent(s) de votre dossier de travail`, `${missing.join(', ')} not in your working directory`) };
    const smallest = sizes.reduce((best, file) => (file.info!.size < best.info!.size ? file : best));
    return { value: smallest.answer, synonyms: [...(smallest.aliases ?? []), ...namesOfFile(smallest.path)] };
  },
};

/** `nginx-alpine.tar.xz` → itself, `.tar.xz`, `tar.xz`, `.xz`, `xz`: how a student may name the file they mean. */
function namesOfFile(path: string): string[] {
  const name = path.split('/').pop()!;
  const parts = name.split('.');
  const suffixes = parts.slice(1).map((_, i) => parts.slice(i + 1).join('.'));
  return [name, ...suffixes.flatMap((suffix) => [suffix, `.${suffix}`])];
}
