import { randomBytes, randomInt } from 'node:crypto';
import { z } from 'zod';
import { FIGURES, judgeFigure, readComparison, type EngineFigures, type Figure, type Verdict } from '../analysis/compare-output.js';
import { shownSizes } from '../engine/sizes.js';
import type { EngineClient } from '../engine/types.js';
import { ImageRef } from '../lab/ids.js';
import { both, type Localized } from '../lab/text.js';
import type { ProcessRunner } from '../processes/types.js';
import { scriptMissing, scriptRunProblem } from './script-outcome.js';
import { outcome, type Outcome, type ProbeClients, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('compare-script'),
    script: z.string().min(1).default('compare-images.sh').describe("The student's script, relative to the workdir; run with bash"),
    refs: z.tuple([ImageRef, ImageRef]).describe('The two images the script is run with, in this order'),
    figures: z.array(z.enum(FIGURES)).min(1).default([...FIGURES]).describe('The figures it must print for both images'),
    timeoutSeconds: z.number().positive().max(25).default(20).describe('Time limit of one run'),
    unforeseen: z.boolean().default(true).describe('Also run it with two throwaway images made at check time (their names, sizes and layer counts cannot be known in advance), so a script that ignores its arguments fails'),
  })
  .describe('A comparison script, run with two images, prints figures that match the engine (size, layers, architecture, OS, created)');
type Spec = z.infer<typeof schema>;

const NAMES: Record<Figure, { fr: string; en: string }> = {
  size: { fr: 'la taille', en: 'the size' },
  layers: { fr: 'le nombre de couches', en: 'the layer count' },
  architecture: { fr: "l'architecture", en: 'the architecture' },
  os: { fr: "l'OS", en: 'the OS' },
  created: { fr: 'la date de création', en: 'the creation date' },
};

async function engineFigures(engine: EngineClient, ref: string): Promise<EngineFigures | null> {
  const [image, history] = await Promise.all([engine.inspectImage(ref), engine.imageHistory(ref)]);
  if (!image) return null;
  const counts = [image.RootFS?.Layers?.length ?? 0, history?.length ?? 0];
  return { sizes: await shownSizes(engine, image), layerCounts: [...new Set(counts)], architecture: image.Architecture, os: image.Os, created: image.Created };
}

function problem(figure: Figure, ref: string, printed: string | undefined, verdict: Exclude<Verdict, { ok: true }>): { fr: string; en: string } {
  const name = NAMES[figure];
  if (verdict.reason === 'missing') return both(`${name.fr} de ${ref} est introuvable dans la sortie`, `${name.en} of ${ref} is not in the output`);
  if (verdict.reason === 'relative-date') {
    return both(`${name.fr} de ${ref} est un âge relatif (« ${printed} ») : affichez la date`, `${name.en} of ${ref} is a relative age ("${printed}"): print the date`);
  }
  return both(`${name.fr} de ${ref} : « ${printed} » ne correspond pas au moteur`, `${name.en} of ${ref}: "${printed}" does not match the engine`);
}

/** The figures a run got wrong (empty when all are right), and the right ones, for the report. */
function judgeRun(stdout: string, refs: readonly [string, string], truth: EngineFigures[], figures: readonly Figure[]): { problems: Localized[]; seen: string[] } {
  const printed = readComparison(stdout, refs);
  const problems: Localized[] = [];
  const seen: string[] = [];
  refs.forEach((ref, index) => {
    for (const figure of figures) {
      const text = printed.get(ref)?.[figure];
      const verdict = judgeFigure(figure, text, truth[index]!);
      if (verdict.ok) seen.push(`${ref} ${figure}=${text}`);
      else problems.push(problem(figure, ref, text, verdict));
    }
  });
  return { problems, seen };
}

/**
 * Two throwaway images with names, sizes and layer counts drawn now: the second has two more layers and more than
 * twice the bytes, so no figure of one can pass for the other's.
 */
function drawUnforeseen(): Array<{ ref: string; fileSizes: number[] }> {
  const name = (): string => `tp7-probe-${randomBytes(3).toString('hex')}:${randomBytes(2).toString('hex')}`;
  const layers = randomInt(1, 3);
  const small = Array.from({ length: layers }, () => randomInt(60_000, 200_000));
  const big = Array.from({ length: layers + 2 }, () => randomInt(200_000, 500_000));
  return [{ ref: name(), fileSizes: small }, { ref: name(), fileSizes: big }];
}

type RunOutcome = { failed: Outcome } | { problems: Localized[]; seen: string[]; stdout: string };

async function runOn(processes: ProcessRunner, spec: Spec, refs: readonly [string, string], truth: EngineFigures[], expected: string): Promise<RunOutcome> {
  const command = `${spec.script} ${refs.join(' ')}`;
  const run = await processes.run('bash', [spec.script, ...refs], { timeoutMs: spec.timeoutSeconds * 1000 });
  const failed = scriptRunProblem(command, run, spec.timeoutSeconds, expected);
  return failed ? { failed } : { ...judgeRun(run.stdout, refs, truth, spec.figures), stdout: run.stdout };
}

/** Runs the script on the throwaway images, created here and removed whatever happens. */
async function runUnforeseen(clients: Pick<ProbeClients, 'engine' | 'processes'>, spec: Spec, expected: string): Promise<{ refs: [string, string]; result: RunOutcome }> {
  const drawn = drawUnforeseen();
  const refs = drawn.map((image) => image.ref) as [string, string];
  try {
    await Promise.all(drawn.map((image) => clients.engine.createProbeImage(image.ref, image.fileSizes)));
    const truth = await Promise.all(refs.map((ref) => engineFigures(clients.engine, ref)));
    if (truth.some((figures) => !figures)) throw new Error(`probe images ${refs.join(', ')} vanished before the check could read them`);
    return { refs, result: await runOn(clients.processes, spec, refs, truth as EngineFigures[], expected) };
  } finally {
    await Promise.all(refs.map((ref) => clients.engine.removeProbeImage(ref)));
  }
}

/** What to say when the course's pair is right but the unforeseen pair is not: the script does not read its arguments. */
function unforeseenFailure(spec: Spec, refs: [string, string], result: RunOutcome, expected: string): Outcome {
  const named = `${spec.script} ${refs.join(' ')}`;
  if ('failed' in result) {
    return outcome('fail', expected, `with images made at check time: ${result.failed.actual}`, both(
      `Lancé avec deux autres images créées au moment de la vérification, ${result.failed.message.fr}`,
      `Run with two other images made at check time, ${result.failed.message.en}`,
    ));
  }
  const mentioned = refs.some((ref) => result.stdout.includes(ref));
  const why = mentioned
    ? both(result.problems.map((text) => text.fr).join(' ; '), result.problems.map((text) => text.en).join('; '))
    : both('sa sortie ne parle pas de ces images', 'its output says nothing about those images');
  return outcome('fail', expected, `with images made at check time: ${result.problems.length} wrong figure(s)`, both(
    `Le script a les bons chiffres pour ${spec.refs.join(' et ')}, mais pas pour deux autres images créées au moment de la vérification (${named}) : ${why.fr}. Il doit lire les images dans ses arguments ($1 et $2) et interroger le moteur, pas afficher des valeurs fixes.`,
    `The script has the right figures for ${spec.refs.join(' and ')}, but not for two other images made at check time (${named}): ${why.en}. It must take the images from its arguments ($1 and $2) and ask the engine, not print fixed values.`,
  ));
}

export const compareScript: ProbeKind<Spec> = {
  kind: 'compare-script',
  schema,
  inputs: { files: ['script'], images: ['refs'] },
  // Side effects: it runs the student's script, which may do anything.
  sideEffects: true,
  async run(spec, { engine, files, processes }): Promise<Outcome> {
    const command = `${spec.script} ${spec.refs.join(' ')}`;
    const unforeseen = spec.unforeseen ? ' and with two images made at check time' : '';
    const expected = `${command} prints ${spec.figures.join(', ')} of both images as the engine reports them${unforeseen}`;
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
    // Both runs at once: the check's time limit covers one script run, not two in a row.
    const [course, other] = await Promise.all([
      runOn(processes, spec, spec.refs, truth as EngineFigures[], expected),
      spec.unforeseen ? runUnforeseen({ engine, processes }, spec, expected) : undefined,
    ]);
    if ('failed' in course) return course.failed;
    if (course.problems.length) {
      return outcome('fail', expected, course.seen.length ? `right: ${course.seen.join('; ')}` : 'no right figure', both(
        `${command} : ${course.problems.map((text) => text.fr).join(' ; ')}.`,
        `${command}: ${course.problems.map((text) => text.en).join('; ')}.`,
      ));
    }
    if (other && ('failed' in other.result || other.result.problems.length)) return unforeseenFailure(spec, other.refs, other.result, expected);
    const checked = other ? both(` (et pour deux images créées au moment de la vérification)`, ` (and for two images made at check time)`) : both('', '');
    return outcome('pass', expected, course.seen.join('; '), both(
      `${command} affiche les bons chiffres pour les deux images${checked.fr}.`,
      `${command} prints the right figures for both images${checked.en}.`,
    ));
  },
};
