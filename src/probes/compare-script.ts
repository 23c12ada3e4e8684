import { z } from 'zod';
import { FIGURES, judgeFigure, readComparison, type EngineFigures, type Figure, type Verdict } from '../analysis/compare-output.js';
import type { EngineClient } from '../engine/types.js';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { scriptMissing, scriptRunProblem } from './script-outcome.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('compare-script'),
    script: z.string().min(1).default('compare-images.sh').describe("The student's script, relative to the workdir; run with bash"),
    refs: z.tuple([ImageRef, ImageRef]).describe('The two images the script is run with, in this order'),
    figures: z.array(z.enum(FIGURES)).min(1).default([...FIGURES]).describe('The figures it must print for both images'),
    timeoutSeconds: z.number().positive().max(25).default(20).describe('Time limit of one run'),
  })
  .describe('A comparison script, run with two images, prints figures that match the engine (size, layers, architecture, OS, created)');
type Spec = z.infer<typeof schema>;

const NAMES: Record<Figure, { fr: string; en: string }> = {
  size: { fr: 'la taille', en: 'the size' },
  layers: { fr: 'le nombre de layers', en: 'the layer count' },
  architecture: { fr: "l'architecture", en: 'the architecture' },
  os: { fr: "l'OS", en: 'the OS' },
  created: { fr: 'la date de création', en: 'the creation date' },
};

async function engineFigures(engine: EngineClient, ref: string): Promise<EngineFigures | null> {
  const [image, history] = await Promise.all([engine.inspectImage(ref), engine.imageHistory(ref)]);
  if (!image) return null;
  const counts = [image.RootFS?.Layers?.length ?? 0, history?.length ?? 0];
  return { size: image.Size, layerCounts: [...new Set(counts)], architecture: image.Architecture, os: image.Os, created: image.Created };
}

function problem(figure: Figure, ref: string, printed: string | undefined, verdict: Exclude<Verdict, { ok: true }>): { fr: string; en: string } {
  const name = NAMES[figure];
  if (verdict.reason === 'missing') return both(`${name.fr} de ${ref} est introuvable dans la sortie`, `${name.en} of ${ref} is not in the output`);
  if (verdict.reason === 'relative-date') {
    return both(`${name.fr} de ${ref} est un âge relatif (« ${printed} ») : affichez la date`, `${name.en} of ${ref} is a relative age ("${printed}"): print the date`);
  }
  return both(`${name.fr} de ${ref} : « ${printed} » ne correspond pas au moteur`, `${name.en} of ${ref}: "${printed}" does not match the engine`);
}

export const compareScript: ProbeKind<Spec> = {
  kind: 'compare-script',
  schema,
  inputs: { files: ['script'], images: ['refs'] },
  // Side effects: it runs the student's script, which may do anything.
  sideEffects: true,
  async run(spec, { engine, files, processes }): Promise<Outcome> {
    const command = `${spec.script} ${spec.refs.join(' ')}`;
    const expected = `${command} prints ${spec.figures.join(', ')} of both images as the engine reports them`;
    const script = await files.stat(spec.script);
    if (!script?.isFile) return scriptMissing(spec.script, expected);
    const truth = await Promise.all(spec.refs.map((ref) => engineFigures(engine, ref)));
    const missing = spec.refs.filter((_, index) => !truth[index]);
    if (missing.length) {
      return outcome('fail', expected, `${missing.join(', ')} absent`, both(
        `Impossible de lancer la comparaison : ${missing.join(', ')} absente(s) du moteur Docker.`,
        `Cannot run the comparison: ${missing.join(', ')} not on the Docker engine.`,
      ));
    }
    const run = await processes.run('bash', [spec.script, ...spec.refs], { timeoutMs: spec.timeoutSeconds * 1000 });
    const failed = scriptRunProblem(command, run, spec.timeoutSeconds, expected);
    if (failed) return failed;
    const printed = readComparison(run.stdout, spec.refs);
    const problems: Array<{ fr: string; en: string }> = [];
    const seen: string[] = [];
    spec.refs.forEach((ref, index) => {
      for (const figure of spec.figures) {
        const text = printed.get(ref)?.[figure];
        const verdict = judgeFigure(figure, text, truth[index]!);
        if (verdict.ok) seen.push(`${ref} ${figure}=${text}`);
        else problems.push(problem(figure, ref, text, verdict));
      }
    });
    if (!problems.length) {
      return outcome('pass', expected, seen.join('; '), both(
        `${command} affiche les bons chiffres pour les deux images.`,
        `${command} prints the right figures for both images.`,
      ));
    }
    return outcome('fail', expected, seen.length ? `right: ${seen.join('; ')}` : 'no right figure', both(
      `${command} : ${problems.map((text) => text.fr).join(' ; ')}.`,
      `${command}: ${problems.map((text) => text.en).join('; ')}.`,
    ));
  },
};
