import { both } from '../lab/text.js';
import { z } from 'zod';
import { reclaimableImageBytes } from '../engine/disk-usage.js';
import type { EngineClient } from '../engine/types.js';
import { ExerciseId, ImageRef } from '../lab/ids.js';
import { readLedger } from '../setup/ledger.js';
import type { Ledger } from '../setup/resources.js';
import type { Fact, FactKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('setup-waste'),
    exercise: ExerciseId.describe('The exercise whose `tp7 setup` made the waste'),
    answer: z.enum(['dangling-count', 'unused-images', 'reclaimable']).describe(
      'dangling-count: dangling images on the engine; unused-images: which of `refs` no container (stopped ones included) uses; reclaimable: the RECLAIMABLE bytes of the Images row of `docker system df`',
    ),
    refs: z.array(ImageRef).default([]).describe('For unused-images: the images asked about'),
  })
  .describe("The waste on the student's engine as it stood after `tp7 setup`: what the student cleaned since still counts");
type Spec = z.infer<typeof schema>;

/**
 * The images dangling when setup ended that are gone now: the student cleaned them (theirs from before setup
 * included, as `docker images -f dangling=true` showed them), and the question stays answerable.
 */
async function cleanedSinceSetup(engine: EngineClient, ledger: Ledger): Promise<Ledger['dangling']> {
  const atSetup = ledger.danglingAtSetup ?? ledger.dangling;
  const present = await Promise.all(atSetup.map(({ id }) => engine.inspectImage(id)));
  return atSetup.filter((_, index) => !present[index]);
}

/** An image is in use when a container, running or not, has it as its image or an ancestor (`--filter ancestor`). */
async function unusedImages(engine: EngineClient, refs: string[]): Promise<Fact> {
  const images = await Promise.all(refs.map((ref) => engine.inspectImage(ref)));
  const missing = refs.filter((_, index) => !images[index]);
  if (missing.length) return { value: null, missing: both(`${missing.join(', ')} absente(s) du moteur (lancez d'abord tp7 setup)`, `${missing.join(', ')} not on the engine (run tp7 setup first)`) };
  const users = await Promise.all(images.map((image) => engine.listContainers({ ancestor: [image!.Id] })));
  return { value: refs.filter((_, index) => users[index]!.length === 0).sort() };
}

export const setupWasteFact: FactKind<Spec> = {
  kind: 'setup-waste',
  schema,
  inputs: { images: 'any', containers: 'any', files: 'any' },
  async read(spec, { engine, files }) {
    if (spec.answer === 'unused-images') return unusedImages(engine, spec.refs);
    // Before setup the engine may hold no waste at all: "0" would then be right without doing anything.
    const ledger = await readLedger(files, spec.exercise);
    if (!ledger) return { value: null, missing: both(`tp7 setup ${spec.exercise} n'a pas été lancé dans ce dossier de travail`, `tp7 setup ${spec.exercise} has not been run in this working directory`) };
    // The figure as it stood when setup ended is the answer: a student answers after setup, then cleans up, and
    // adding back what was cleaned counts each removed image's full size (shared layers again). Ledgers written
    // before the figures were recorded fall back on "what is there now plus what was cleaned".
    if (spec.answer === 'dangling-count') {
      if (ledger.danglingAtSetup) return { value: ledger.danglingAtSetup.length };
      const cleaned = await cleanedSinceSetup(engine, ledger);
      return { value: (await engine.listImages({ dangling: ['true'] })).length + cleaned.length };
    }
    if (ledger.reclaimableAtSetup !== undefined) return { value: ledger.reclaimableAtSetup };
    const cleaned = await cleanedSinceSetup(engine, ledger);
    return { value: reclaimableImageBytes(await engine.diskUsage()) + cleaned.reduce((total, image) => total + image.size, 0) };
  },
};
