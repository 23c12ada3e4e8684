import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { shortId } from '../engine/attributes.js';
import type { EngineClient } from '../engine/types.js';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { readCalls } from '../scripts/command-rules.js';
import type { DockerCommand } from '../scripts/docker-command.js';
import { scriptHostOf } from '../scripts/local-host.js';
import { recordedRun, type RecordedRun } from '../scripts/recorded-run.js';
import { scriptMissing, scriptRunProblem } from './script-outcome.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('unused-images-script'),
    script: z.string().regex(/^[^/].*$/).describe("The student's script, relative to the workdir; run with bash in a recorded run"),
    refs: z.array(ImageRef).min(1).describe('The images judged: each unused one must be listed, each used one must not'),
    timeoutSeconds: z.number().positive().max(60).default(30).describe('Time limit of the run'),
  })
  .describe('A script that lists the unused images: its output, from a recorded run that asked the real engine, matches which images containers (stopped ones too) use');
type Spec = z.infer<typeof schema>;

/** The lines of the output that name an image, by its reference or its short ID. */
function linesNaming(output: string, ref: string, id: string): string[] {
  const short = shortId(id);
  const bare = ref.endsWith(':latest') ? ref.slice(0, -':latest'.length) : undefined;
  const named = (word: string) => word === ref || word === short || (bare !== undefined && word === bare);
  return output.split('\n').filter((line) => line.split(/[\s,;|]+/).some(named));
}

/** Images made at check time, which the script cannot name in advance: one no container uses, one a stopped container uses. */
interface CheckTimeImages {
  unused: string;
  used: string;
}

/**
 * Makes the check-time images (labelled probe resources, random names) and the stopped container of `used`,
 * runs `judge` with them, and removes all three whatever happens.
 */
async function withCheckTimeImages<T>(engine: EngineClient, judge: (made: CheckTimeImages) => Promise<T>): Promise<T> {
  const name = () => `tp7-check-${randomBytes(3).toString('hex')}:${randomBytes(2).toString('hex')}`;
  const made: CheckTimeImages = { unused: name(), used: name() };
  let container: string | undefined;
  try {
    await engine.createProbeImage(made.unused, [256]);
    await engine.createProbeImage(made.used, [256]);
    container = await engine.createProbeContainer(made.used);
    return await judge(made);
  } finally {
    if (container) await engine.removeProbeContainer(container);
    await engine.removeProbeImage(made.unused);
    await engine.removeProbeImage(made.used);
  }
}

export const unusedImagesScript: ProbeKind<Spec> = {
  kind: 'unused-images-script',
  schema,
  inputs: { files: ['script'], images: 'any', containers: 'any' },
  sideEffects: true,
  async run(spec, clients) {
    const { engine, files, workdir } = clients;
    const expected = `${spec.script} lists, among ${spec.refs.join(', ')} and two images made at check time, exactly the images no container uses (stopped ones count)`;
    const script = await files.stat(spec.script);
    if (!script?.isFile) return scriptMissing(spec.script, expected);
    const missing = (await Promise.all(spec.refs.map(async (ref) => ((await engine.inspectImage(ref)) ? undefined : ref)))).filter(Boolean);
    if (missing.length) {
      return outcome('fail', expected, `${missing.join(', ')} absent`, both(
        `${missing.join(', ')} absente(s) du moteur : lancez d'abord tp7 setup.`,
        `${missing.join(', ')} not on the engine: run tp7 setup first.`,
      ));
    }
    return withCheckTimeImages(engine, async (made) => {
      const run = await recordedRun(scriptHostOf(clients), { workdir, script: spec.script, args: [], timeoutMs: spec.timeoutSeconds * 1000, engineHost: engine.host, engineAddress: engine.address });
      if (run.timedOut) return scriptRunProblem(spec.script, run, spec.timeoutSeconds, expected)!;
      const verdict = await judgeListing(spec, engine, run, made, expected);
      // A right list passes whatever the exit code (a script ending on `[ ... ] && echo` returns 1 after a
      // right answer); a wrong one from a failed run is explained by the failure first.
      if (verdict.status === 'pass') return verdict;
      return scriptRunProblem(spec.script, run, spec.timeoutSeconds, expected) ?? verdict;
    });
  },
};

/**
 * A command that tells which containers use which image: `docker ps` (with -a, stopped users count: the output
 * judges that), or `docker system df -v`, whose image table counts each image's containers, stopped ones too.
 */
function asksWhatUsesImages(call: DockerCommand): boolean {
  return call.command === 'container ls' || (call.command === 'system df' && call.flags.verbose === true);
}

/** Whether the run's output lists exactly the unused images, among the setup's and the check-time ones. */
async function judgeListing(spec: Spec, engine: EngineClient, run: RecordedRun, made: CheckTimeImages, expected: string): Promise<Outcome> {
  if (!readCalls(run.calls).some(asksWhatUsesImages)) {
    return outcome('fail', expected, 'no docker ps', both(
      `${spec.script} n'interroge jamais les conteneurs (ni docker ps -a, ni docker system df -v) : sa liste ne vient pas du moteur.`,
      `${spec.script} never asks about containers (neither docker ps -a nor docker system df -v): its list does not come from the engine.`,
    ));
  }
  const refs = [...spec.refs, made.unused, made.used];
  const images = await Promise.all(refs.map((ref) => engine.inspectImage(ref)));
  const users = await Promise.all(images.map((image) => (image ? engine.listContainers({ ancestor: [image.Id] }) : [])));
  const listed = refs.filter((ref, index) => images[index] && linesNaming(run.stdout, ref, images[index].Id).length > 0);
  const actual = `listed: ${listed.join(', ') || 'none of them'}`;
  const madeNote = (ref: string) => (ref === made.unused || ref === made.used
    ? both(
        ` (une image créée au moment de la vérification : la liste doit venir du moteur, docker images et docker ps -a, pas être écrite d'avance)`,
        ` (an image made at check time: the list must come from the engine, docker images and docker ps -a, not be written in advance)`,
      )
    : both('', ''));
  for (const [index, ref] of refs.entries()) {
    if (!images[index]) continue;
    const container = users[index]![0];
    const note = madeNote(ref);
    if (container && listed.includes(ref)) {
      const name = container.Names[0]?.replace(/^\//, '') ?? shortId(container.Id);
      const stopped = container.State !== 'running';
      return outcome('fail', expected, actual, stopped
        ? both(
            `${spec.script} donne ${ref} comme inutilisée, or le conteneur arrêté ${name} l'utilise${note.fr} : docker ps sans -a ne voit que les conteneurs en marche.`,
            `${spec.script} calls ${ref} unused, yet the stopped container ${name} uses it${note.en}: docker ps without -a only sees running containers.`,
          )
        : both(`${spec.script} donne ${ref} comme inutilisée, or le conteneur ${name} l'utilise${note.fr}.`, `${spec.script} calls ${ref} unused, yet the container ${name} uses it${note.en}.`));
    }
    if (!container && !listed.includes(ref)) {
      return outcome('fail', expected, actual, both(
        `${spec.script} ne cite pas ${ref}, qu'aucun conteneur n'utilise${note.fr}.`,
        `${spec.script} does not list ${ref}, which no container uses${note.en}.`,
      ));
    }
  }
  return outcome('pass', expected, actual, both(
    `${spec.script} distingue bien les images utilisées des autres, deux images créées au moment de la vérification comprises.`,
    `${spec.script} tells used images from unused ones, two images made at check time included.`,
  ));
}
