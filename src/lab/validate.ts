import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { yaml } from '../yaml.js';
import { join, relative } from 'node:path';
import type { z } from 'zod';
import { LabDefinitionError } from '../errors.js';
import { both, type LocalizedText } from './lang.js';
import { crossCheckExercise, crossCheckSkills } from './consistency.js';
import { exerciseFile, type Lab, type LoadedExercise } from './loader.js';
import { formatIssues } from './problems.js';
import { ExerciseSchema, SkillsSchema, type Skills } from './schema.js';

// Validation of lab files: loaded only when the lab cache misses (see loader.ts and cache.ts).

/** Reads YAML or JSON; syntax errors come back as problems with line and column. */
function readData(file: string, shown: string, problems: LocalizedText[]): unknown {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      problems.push(both(`${shown} : « ${message} »`, `${shown}: ${message}`));
      return undefined;
    }
  }
  // Loaded here only: with a valid cache, no command needs the YAML parser at all.
  const { parseDocument } = yaml();
  const document = parseDocument(text, { prettyErrors: true });
  for (const error of document.errors) {
    const at = error.linePos?.[0];
    const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const place = `${shown}${at ? `:${at.line}:${at.col}` : ''}`;
    problems.push(both(`${place} : « ${message} »`, `${place}: ${message}`));
  }
  return document.errors.length ? undefined : document.toJS();
}

function validate<T>(schema: z.ZodType<T>, data: unknown, shown: string, problems: LocalizedText[]): T | undefined {
  if (data === undefined) return undefined; // unreadable: its syntax problems are already listed
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  problems.push(...formatIssues(shown, result.error.issues));
  return undefined;
}

export function validateLab(root: string): Lab {
  const problems: LocalizedText[] = [];
  const shown = (file: string) => relative(process.cwd(), file) || file;
  const skillsFile = join(root, 'skills.yaml');
  let skills: Skills['skills'] = [];
  if (!existsSync(skillsFile)) {
    problems.push(both(`${shown(skillsFile)} : absent ; définissez-y les compétences de la checklist`, `${shown(skillsFile)}: missing: define the checklist skills there`));
  }
  else skills = validate(SkillsSchema, readData(skillsFile, shown(skillsFile), problems), shown(skillsFile), problems)?.skills ?? [];

  const exercises: LoadedExercise[] = [];
  const folders = existsSync(root)
    ? readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory() && /^ex[0-9]+$/.test(entry.name))
    : [];
  for (const folder of folders.map((entry) => entry.name).sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)))) {
    const dir = join(root, folder);
    const file = exerciseFile(dir);
    if (!file) {
      problems.push(both(`${shown(dir)} : pas d'exercise.yaml (ni d'exercise.json) dans ce dossier`, `${shown(dir)}: no exercise.yaml (or exercise.json) in this folder`));
      continue;
    }
    const exercise = validate(ExerciseSchema, readData(file, shown(file), problems), shown(file), problems);
    if (!exercise) continue;
    problems.push(...crossCheckExercise(exercise, dir, folder).map((problem) => both(`${shown(file)} : ${problem.fr}`, `${shown(file)}: ${problem.en}`)));
    exercises.push({ exercise, dir });
  }
  const skillProblems = crossCheckSkills(skills, exercises.map((loaded) => loaded.exercise.id));
  problems.push(...skillProblems.map((problem) => both(`${shown(skillsFile)} : ${problem.fr}`, `${shown(skillsFile)}: ${problem.en}`)));
  if (problems.length) throw new LabDefinitionError(problems);
  return { root, skills, exercises };
}

