import { z } from 'zod';
import { CiConfigError, parseCiRules } from '../analysis/rules.js';
import { byContent } from '../cache/stored-readings.js';
import { both } from '../lab/text.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('dive-ci-config'),
    path: z.string().min(1).default('.dive-ci.yml').describe('The CI rules file, relative to the workdir'),
    minLowestEfficiency: z.number().min(0).max(1).optional().describe('rules.lowestEfficiency must be set to at least this'),
  })
  .describe("A .dive-ci.yml written in dive's own format (a `rules:` mapping), optionally demanding a minimum efficiency");
type Spec = z.infer<typeof schema>;

export const diveCiConfig: ProbeKind<Spec> = {
  kind: 'dive-ci-config',
  schema,
  inputs: { files: ['path'] },
  async run(spec, { files, stored }): Promise<Outcome> {
    const wanted = spec.minLowestEfficiency === undefined ? '' : ` with rules.lowestEfficiency >= ${spec.minLowestEfficiency}`;
    const expected = `${spec.path} in dive's format${wanted}`;
    const info = await files.stat(spec.path);
    if (!info?.isFile) {
      return outcome('fail', expected, `${spec.path} absent`, both(`${spec.path} est introuvable dans votre dossier de travail.`, `${spec.path} is not in your working directory.`));
    }
    const text = await files.readText(spec.path);
    const read = await byContent(stored, 'dive-ci-rules', `${spec.path}\u0000${text}`, () => {
      try {
        return { rules: parseCiRules(text, spec.path) };
      } catch (error) {
        if (!(error instanceof CiConfigError)) throw error;
        return { refused: error.text };
      }
    });
    const { rules, refused } = read;
    if (refused) {
      return outcome('fail', expected, refused.en, both(`${spec.path} est inutilisable : ${refused.fr}.`, `${spec.path} cannot be used: ${refused.en}.`));
    }
    if (rules.form === 'course-list') {
      return outcome('fail', expected, 'list form (- name: … value: …)', both(
        `${spec.path} suit la forme en liste du cours (« - name: … value: … ») ; attendu : les clés de dive sous « rules: », comme lowestEfficiency.`,
        `${spec.path} uses the course's list form ("- name: … value: …"); expected: dive's keys under "rules:", such as lowestEfficiency.`,
      ));
    }
    const actual = rules.settings.map((setting) => `${setting.key}=${setting.value}`).join(', ');
    if (rules.form === 'defaults') {
      return outcome('fail', expected, 'no rules', both(
        `${spec.path} n'a pas de clé « rules: » : dive appliquerait ses valeurs par défaut.`,
        `${spec.path} has no "rules:" key: dive would apply its defaults.`,
      ));
    }
    const efficiency = rules.settings.find((setting) => setting.key === 'lowestEfficiency')!;
    if (spec.minLowestEfficiency !== undefined && !((efficiency.threshold ?? -1) >= spec.minLowestEfficiency)) {
      return outcome('fail', expected, actual, both(
        `${spec.path} : rules.lowestEfficiency vaut ${efficiency.value}, il faut au moins ${spec.minLowestEfficiency}.`,
        `${spec.path}: rules.lowestEfficiency is ${efficiency.value}, at least ${spec.minLowestEfficiency} is required.`,
      ));
    }
    return outcome('pass', expected, actual, both(`${spec.path} : ${actual}.`, `${spec.path}: ${actual}.`));
  },
};
