import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LabDefinitionError } from '../../errors.js';
import { labsDir, solutionsDir, type Lab } from '../../lab/loader.js';
import { LANGS } from '../../lab/text.js';
import { schemaFiles } from './schema.js';

export interface LintResult {
  errors: string[];
  warnings: string[];
  lab?: Lab;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `tp7 dev check`: everything rustlings' `dev check` asks of content, on top of the schema. */
export async function lintLab(): Promise<LintResult> {
  const errors: string[] = [];
  const warnings: string[] = [];
  let lab: Lab;
  try {
    // Always validated from the files: a lint never trusts the cache.
    lab = (await import('../../lab/validate.js')).validateLab(labsDir());
  } catch (error) {
    if (error instanceof LabDefinitionError) return { errors: error.problems, warnings };
    throw error;
  }
  const shown = (file: string) => relative(process.cwd(), file) || file;
  for (const { exercise } of lab.exercises) {
    const dir = join(solutionsDir(), exercise.id);
    const script = join(dir, 'solve.sh');
    if (!existsSync(script)) errors.push(`${shown(script)}: missing: every exercise needs a reference solution script`);
    else if (!isExecutable(script)) errors.push(`${shown(script)}: not executable: chmod +x it`);
    for (const lang of LANGS) {
      const page = join(dir, `solution.${lang}.md`);
      if (!existsSync(page)) errors.push(`${shown(page)}: missing: every exercise needs a written solution page`);
    }
  }
  const present = new Set(lab.exercises.map((loaded) => loaded.exercise.id));
  for (const skill of lab.skills) {
    const written = skill.exercises.filter((id) => present.has(id));
    const pending = skill.exercises.filter((id) => !present.has(id));
    if (!written.length) warnings.push(`skills.yaml: skill "${skill.id}" is not reachable yet: none of its exercises (${skill.exercises.join(', ')}) is written`);
    else if (pending.length) warnings.push(`skills.yaml: skill "${skill.id}" also waits for ${pending.join(', ')} (not written yet)`);
  }
  for (const { file, content } of schemaFiles()) {
    const path = join(labsDir(), file);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) {
      errors.push(`${shown(path)}: out of date with the zod schema: run \`tp7 dev schema\``);
    }
  }
  return { errors, warnings, lab };
}
