import { z } from 'zod';
import { shortId } from '../engine/attributes.js';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { readCalls } from '../scripts/command-rules.js';
import { recordedRun } from '../scripts/recorded-run.js';
import { scriptMissing, scriptRunProblem } from './script-outcome.js';
import { outcome, type ProbeKind } from './types.js';

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

export const unusedImagesScript: ProbeKind<Spec> = {
  kind: 'unused-images-script',
  schema,
  async run(spec, { engine, files, processes, workdir }) {
    const expected = `${spec.script} lists, among ${spec.refs.join(', ')}, exactly the images no container uses (stopped ones count)`;
    const script = await files.stat(spec.script);
    if (!script?.isFile) return scriptMissing(spec.script, expected);
    const images = await Promise.all(spec.refs.map((ref) => engine.inspectImage(ref)));
    const missing = spec.refs.filter((_, index) => !images[index]);
    if (missing.length) {
      return outcome('fail', expected, `${missing.join(', ')} absent`, both(
        `${missing.join(', ')} absente(s) du moteur : lancez d'abord tp7 setup.`,
        `${missing.join(', ')} not on the engine: run tp7 setup first.`,
      ));
    }
    const run = await recordedRun(processes, { workdir, script: spec.script, args: [], timeoutMs: spec.timeoutSeconds * 1000, engineHost: engine.host });
    const failed = scriptRunProblem(spec.script, run, spec.timeoutSeconds, expected);
    if (failed) return failed;
    if (!readCalls(run.calls).some((call) => call.command === 'container ls')) {
      return outcome('fail', expected, 'no docker ps', both(
        `${spec.script} n'interroge jamais les conteneurs (aucun docker ps) : sa liste ne vient pas du moteur.`,
        `${spec.script} never asks about containers (no docker ps): its list does not come from the engine.`,
      ));
    }
    const users = await Promise.all(images.map((image) => engine.listContainers({ ancestor: [image!.Id] })));
    const listed = spec.refs.filter((ref, index) => linesNaming(run.stdout, ref, images[index]!.Id).length > 0);
    const actual = `listed: ${listed.join(', ') || 'none of them'}`;
    for (const [index, ref] of spec.refs.entries()) {
      const container = users[index]![0];
      if (container && listed.includes(ref)) {
        const name = container.Names[0]?.replace(/^\//, '') ?? shortId(container.Id);
        const stopped = container.State !== 'running';
        return outcome('fail', expected, actual, stopped
          ? both(
              `${spec.script} donne ${ref} comme inutilisée, or le conteneur arrêté ${name} l'utilise : docker ps sans -a ne voit que les conteneurs en marche.`,
              `${spec.script} calls ${ref} unused, yet the stopped container ${name} uses it: docker ps without -a only sees running containers.`,
            )
          : both(`${spec.script} donne ${ref} comme inutilisée, or le conteneur ${name} l'utilise.`, `${spec.script} calls ${ref} unused, yet the container ${name} uses it.`));
      }
      if (!container && !listed.includes(ref)) {
        return outcome('fail', expected, actual, both(
          `${spec.script} ne cite pas ${ref}, qu'aucun conteneur n'utilise.`,
          `${spec.script} does not list ${ref}, which no container uses.`,
        ));
      }
    }
    return outcome('pass', expected, actual, both(
      `${spec.script} distingue bien les images utilisées des autres.`,
      `${spec.script} tells used images from unused ones.`,
    ));
  },
};
