import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabDefinitionError } from '../../src/errors.js';
import { loadLab as loadCachedLab } from '../../src/lab/loader.js';
import { validateLab as loadLab } from '../../src/lab/validate.js';
import { tempDir } from '../tmp.js';

const REAL_LABS = join(import.meta.dirname, '../../labs');

/** A copy of the real labs/ with ex1's definition replaced by `edit(original)`. */
function labWith(edit: (yaml: string) => string): string {
  const root = tempDir('labs-');
  cpSync(REAL_LABS, root, { recursive: true });
  const file = join(root, 'ex1', 'exercise.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return root;
}

function problemsOf(root: string): string[] {
  try {
    loadLab(root);
  } catch (error) {
    if (error instanceof LabDefinitionError) return error.problems.map((problem) => problem.en);
    throw error;
  }
  return [];
}

describe('lab loader', () => {
  it('loads the real labs without a problem', () => {
    const lab = loadLab(REAL_LABS);
    expect(lab.exercises.map((loaded) => loaded.exercise.id)).toContain('ex1');
    expect(lab.skills).toHaveLength(8);
  });

  it('reports every problem at once, each as file: path: message', () => {
    const root = labWith((yaml) =>
      yaml
        .replace('format_version: 1', 'format_version: 2')
        .replace('probe: { kind: same-image, refs: ["nginx:latest", "nginx:alpine"], same: false }', 'probe: { kind: same-imag, refs: ["nginx:latest", "nginx:alpine"], same: false }')
        .replace('probe: { kind: image-attribute, ref: "nginx:alpine", attribute: size, lessThanImage: "nginx:latest", factor: 0.5 }', 'probe: { kind: image-attribute, ref: "nginx:alpine", attribute: size, lessThanImage: "nginx:latest", factor: 0.5, tag: x }')
        .replace('id: pulled-latest', 'id: pulled-alpine'),
    );
    const problems = problemsOf(root);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`exercise\\.yaml: format_version: format_version must be 1$`)),
      expect.stringMatching(/exercise\.yaml: checks\[4\]\.probe\.kind: unknown kind: use one of image-exists, same-image, image-attribute/),
      expect.stringMatching(/exercise\.yaml: checks\[5\]\.probe: unknown field "tag": remove it or fix its spelling/),
    ]));
    expect(problems.every((line) => line.includes('ex1/exercise.yaml: '))).toBe(true);
  });

  it('reports cross-field mistakes: duplicate ids, unknown tasks, answers outside the choices', () => {
    const root = labWith((yaml) =>
      yaml.replace('id: pulled-latest', 'id: pulled-alpine').replace('task: "1.2"', 'task: "9.9"').replace('answer: b', 'answer: z'),
    );
    const problems = problemsOf(root).join('\n');
    expect(problems).toContain('checks[3].id: "pulled-alpine" is already used by checks[2]');
    expect(problems).toContain('.task: no task "9.9" in tasks (known: 1.1, 1.2)');
    expect(problems).toContain('answer "z" is not one of the choices (a, b, c)');
  });

  it('points at the line of a YAML syntax error', () => {
    const root = labWith((yaml) => `${yaml}\n  - broken: [unclosed\n`);
    expect(problemsOf(root).join('\n')).toMatch(/exercise\.yaml:\d+:\d+: /);
  });

  it('rejects a regular expression that does not compile, naming the field', () => {
    const root = labWith((yaml) => yaml.replace('probe: { kind: same-image, refs: ["nginx:latest", "nginx:alpine"], same: false }', 'probe: { kind: image-attribute, ref: "nginx:1.25", attribute: os, matches: "([" }'));
    expect(problemsOf(root).join('\n')).toMatch(/exercise\.yaml: checks\[4\]\.probe\.matches: not a valid regular expression/);
  });

  it('names a missing required field and a missing hint list', () => {
    const root = labWith((yaml) => yaml.replace(/summary:\n(.*\n){2}/, '').replace(/(id: pulled-alpine[\s\S]*?)hints:\n(.*\n){4}/, '$1hints: []\n'));
    const problems = problemsOf(root).join('\n');
    expect(problems).toContain('summary: missing required field');
    expect(problems).toContain('checks[3].hints: every check needs at least one hint');
  });

  it('keeps a validated lab in a cache that any edit of a lab file invalidates', async () => {
    const root = labWith((yaml) => yaml);
    const first = await loadCachedLab(root);
    expect(await loadCachedLab(root)).toEqual(first);
    const file = join(root, 'ex1', 'exercise.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('format_version: 1', 'format_version: 7'));
    await expect(loadCachedLab(root)).rejects.toThrow(LabDefinitionError);
  });
});

describe('lab problems in French', () => {
  it('says each problem in French too, zod\'s own words included', () => {
    const root = labWith((yaml) => yaml.replace('probe: { kind: image-attribute, ref: "nginx:alpine"', 'probe: { kind: image-attribute, ref: 125, tga: x'));
    let problems: Array<{ fr: string; en: string }> = [];
    try {
      loadLab(root);
    } catch (error) {
      if (error instanceof LabDefinitionError) problems = error.problems;
    }
    const french = problems.map((problem) => problem.fr).join('\n');
    expect(french).toContain('champ inconnu "tga" : supprimez-le ou corrigez son orthographe');
    expect(french).toMatch(/ref : .*attendu/i);
    expect(french).not.toMatch(/\b(unknown|expected|remove)\b/);
  });
});
