import { z } from 'zod';
import { ExerciseId, ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { SETUP_LABEL } from '../setup/resources.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('setup-cleaned'),
    exercise: ExerciseId.describe('The exercise whose `tp7 setup` made the waste'),
    keep: z.array(ImageRef).min(1).describe('Images of the setup a light cleanup must leave (in use, or tagged)'),
  })
  .describe('After a cleanup the student ran: the dangling images `tp7 setup` made are gone, and the images it must keep are still there');
type Spec = z.infer<typeof schema>;

export const setupCleaned: ProbeKind<Spec> = {
  kind: 'setup-cleaned',
  schema,
  async run(spec, { engine }) {
    const expected = `no dangling image labelled ${SETUP_LABEL}=${spec.exercise}; ${spec.keep.join(', ')} still present`;
    const [dangling, kept] = await Promise.all([
      engine.listImages({ dangling: ['true'], label: [`${SETUP_LABEL}=${spec.exercise}`] }),
      Promise.all(spec.keep.map((ref) => engine.inspectImage(ref))),
    ]);
    const gone = spec.keep.filter((_, index) => !kept[index]);
    const actual = `${dangling.length} dangling; ${gone.length ? `gone: ${gone.join(', ')}` : 'kept images present'}`;
    if (gone.length === spec.keep.length) {
      return outcome('fail', expected, actual, both(
        `Les images de tp7 setup ${spec.exercise} sont absentes : lancez d'abord tp7 setup ${spec.exercise}, puis le nettoyage.`,
        `The images of tp7 setup ${spec.exercise} are missing: run tp7 setup ${spec.exercise} first, then the cleanup.`,
      ));
    }
    if (gone.length) {
      return outcome('fail', expected, actual, both(
        `${gone.join(', ')} a disparu : le nettoyage a retiré plus que les images dangling (-a supprime aussi les images non utilisées). tp7 setup ${spec.exercise} la recrée.`,
        `${gone.join(', ')} is gone: the cleanup removed more than dangling images (-a also removes unused images). tp7 setup ${spec.exercise} makes it again.`,
      ));
    }
    if (dangling.length) {
      return outcome('fail', expected, actual, both(
        `${dangling.length} image(s) dangling de tp7 setup sont encore là : le nettoyage léger n'a pas été lancé.`,
        `${dangling.length} dangling image(s) from tp7 setup are still there: the light cleanup has not been run.`,
      ));
    }
    return outcome('pass', expected, actual, both(
      'Les images dangling ont disparu, les images utiles sont restées.',
      'The dangling images are gone, the useful images stayed.',
    ));
  },
};
