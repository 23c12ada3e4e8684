import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../../cli/context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { labsDir } from '../../lab/loader.js';
import { both, pick } from '../../lab/text.js';
import { style } from '../../ui/style.js';
import { printJson } from '../shared.js';
import { lintLab } from './lint.js';
import { schemaFiles } from './schema.js';

export async function run(context: CommandContext): Promise<number> {
  const [sub] = context.args;
  if (sub === 'schema') {
    for (const { file, content } of schemaFiles()) writeFileSync(join(labsDir(), file), content);
    const files = schemaFiles().map(({ file }) => `labs/${file}`).join(', ');
    context.out(pick(both(`écrits : ${files}`, `wrote ${files}`), context.lang));
    return ExitCode.ok;
  }
  if (sub !== 'check') throw new UsageError(both('usage : tp7 dev check [--solutions] | tp7 dev schema', 'usage: tp7 dev check [--solutions] | tp7 dev schema'));
  const lint = await lintLab();
  if (context.options.solutions && !lint.errors.length) return (await import('./solutions.js')).checkSolutions(context);
  const { lab } = lint;
  const errors = lint.errors.map((line) => pick(line, context.lang));
  const warnings = lint.warnings.map((line) => pick(line, context.lang));
  if (context.json) {
    printJson(context, { ok: errors.length === 0, errors, warnings, exercises: lab?.exercises.map((loaded) => loaded.exercise.id) ?? [] });
  } else {
    const say = (fr: string, en: string) => pick(both(fr, en), context.lang);
    for (const line of errors) context.err(`${style.red(say('erreur', 'error'))} ${line}`);
    for (const line of warnings) context.err(`${style.yellow(say('avertissement', 'warning'))} ${line}`);
    const count = lab
      ? say(`${lab.exercises.length} exercices, ${lab.skills.length} compétences`, `${lab.exercises.length} exercises, ${lab.skills.length} skills`)
      : say('fichiers du lab', 'lab files');
    context.out(errors.length ? say(`${errors.length} problème(s) dans ${count}`, `${errors.length} problem(s) in ${count}`) : say(`${count} : OK`, `${count}: OK`));
  }
  return errors.length ? ExitCode.invalidLab : ExitCode.ok;
}
