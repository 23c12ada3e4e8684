import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../../cli/context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { labsDir } from '../../lab/loader.js';
import { style } from '../../ui/style.js';
import { printJson } from '../shared.js';
import { lintLab } from './lint.js';
import { schemaFiles } from './schema.js';

export async function run(context: CommandContext): Promise<number> {
  const [sub] = context.args;
  if (sub === 'schema') {
    for (const { file, content } of schemaFiles()) writeFileSync(join(labsDir(), file), content);
    context.out(`wrote ${schemaFiles().map(({ file }) => `labs/${file}`).join(', ')}`);
    return ExitCode.ok;
  }
  if (sub !== 'check') throw new UsageError('usage: tp7 dev check | tp7 dev schema');
  const { errors, warnings, lab } = await lintLab();
  if (context.json) {
    printJson(context, { ok: errors.length === 0, errors, warnings, exercises: lab?.exercises.map((loaded) => loaded.exercise.id) ?? [] });
  } else {
    for (const line of errors) context.err(`${style.red('error')} ${line}`);
    for (const line of warnings) context.err(`${style.yellow('warning')} ${line}`);
    const count = lab ? `${lab.exercises.length} exercises, ${lab.skills.length} skills` : 'lab files';
    context.out(errors.length ? `${errors.length} problem(s) in ${count}` : `${count}: OK`);
  }
  return errors.length ? ExitCode.invalidLab : ExitCode.ok;
}
