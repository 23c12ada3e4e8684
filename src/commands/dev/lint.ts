import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LabDefinitionError } from '../../errors.js';
import { labsDir, solutionsDir, type Lab } from '../../lab/loader.js';
import { both, LANGS, type Localized } from '../../lab/text.js';
import { schemaFiles } from './schema.js';

export interface LintResult {
  errors: Localized[];
  warnings: Localized[];
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
  const errors: Localized[] = [];
  const warnings: Localized[] = [];
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
    if (!existsSync(script)) {
      errors.push(both(`${shown(script)} : absent ; chaque exercice a besoin d'un script de solution de référence`, `${shown(script)}: missing: every exercise needs a reference solution script`));
    } else if (!isExecutable(script)) {
      errors.push(both(`${shown(script)} : non exécutable ; faites chmod +x`, `${shown(script)}: not executable: chmod +x it`));
    }
    for (const lang of LANGS) {
      const page = join(dir, `solution.${lang}.md`);
      if (!existsSync(page)) errors.push(both(`${shown(page)} : absent ; chaque exercice a besoin d'une page de solution rédigée`, `${shown(page)}: missing: every exercise needs a written solution page`));
    }
  }
  const present = new Set(lab.exercises.map((loaded) => loaded.exercise.id));
  for (const skill of lab.skills) {
    const written = skill.exercises.filter((id) => present.has(id));
    const pending = skill.exercises.filter((id) => !present.has(id));
    const all = skill.exercises.join(', ');
    if (!written.length) {
      warnings.push(both(`skills.yaml : la compétence « ${skill.id} » n'est pas encore atteignable : aucun de ses exercices (${all}) n'est écrit`, `skills.yaml: skill "${skill.id}" is not reachable yet: none of its exercises (${all}) is written`));
    } else if (pending.length) {
      warnings.push(both(`skills.yaml : la compétence « ${skill.id} » attend aussi ${pending.join(', ')} (pas encore écrit)`, `skills.yaml: skill "${skill.id}" also waits for ${pending.join(', ')} (not written yet)`));
    }
  }
  for (const { file, content } of schemaFiles()) {
    const path = join(labsDir(), file);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) {
      errors.push(both(`${shown(path)} : pas à jour avec le schéma zod ; lancez \`tp7 dev schema\``, `${shown(path)}: out of date with the zod schema: run \`tp7 dev schema\``));
    }
  }
  return { errors, warnings, lab };
}
