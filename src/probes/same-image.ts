import { z } from 'zod';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { shortId } from '../engine/attributes.js';
import type { ImageInspect } from '../engine/types.js';
import { outcome, type ProbeKind } from './types.js';
import { tagsOfImage } from './refs.js';

const schema = z
  .strictObject({
    kind: z.literal('same-image'),
    refs: z.array(ImageRef).min(2).describe('References compared with the first one'),
    same: z.boolean().default(true).describe('true: all share one image ID; false: every one differs from the first'),
  })
  .describe('Image references point (or do not point) to the same image ID');
type Spec = z.infer<typeof schema>;

export const sameImage: ProbeKind<Spec> = {
  kind: 'same-image',
  schema,
  inputs: { images: ['refs'] },
  async run(spec, { engine }) {
    const images = await Promise.all(spec.refs.map((ref) => engine.inspectImage(ref)));
    const expected = spec.same
      ? `${spec.refs.join(', ')} share one image ID`
      : `${spec.refs.slice(1).join(', ')} differ from ${spec.refs[0]}`;
    const actual = spec.refs.map((ref, i) => `${ref} → ${images[i] ? shortId(images[i]!.Id) : 'absent'}`).join(', ');
    const missing = spec.refs.filter((_, i) => !images[i]);
    if (missing.length) {
      return outcome('fail', expected, actual, both(
        `Image(s) introuvable(s) : ${missing.join(', ')}. Créez-les d'abord.`,
        `Missing image(s): ${missing.join(', ')}. Create them first.`,
      ));
    }
    const [first, ...others] = images as ImageInspect[];
    const [firstRef, ...otherRefs] = spec.refs;
    if (spec.same) {
      const wrong = otherRefs.filter((_, i) => others[i]!.Id !== first!.Id);
      if (!wrong.length) {
        return outcome('pass', expected, actual, both(`Une seule image : ${shortId(first!.Id)}.`, `One image: ${shortId(first!.Id)}.`));
      }
      // A tag made from the wrong source is the usual near miss: say which image it really points to.
      const culprit = wrong[0]!;
      const culpritId = others[otherRefs.indexOf(culprit)]!.Id;
      const alias = (await tagsOfImage(engine, culpritId)).filter((tag) => tag !== culprit);
      const aka = alias.length ? ` (${alias.join(', ')})` : '';
      return outcome('fail', expected, actual, both(
        `${culprit} ne pointe pas vers la même image que ${firstRef} : elle pointe vers ${shortId(culpritId)}${aka}. Recréez le tag à partir de la bonne source.`,
        `${culprit} does not point to the same image as ${firstRef}: it points to ${shortId(culpritId)}${aka}. Re-create the tag from the right source.`,
      ));
    }
    const clash = otherRefs.filter((_, i) => others[i]!.Id === first!.Id);
    if (!clash.length) {
      return outcome('pass', expected, actual, both('Images distinctes, comme attendu.', 'Distinct images, as expected.'));
    }
    return outcome('fail', expected, actual, both(
      `${clash.join(', ')} et ${firstRef} sont la même image, alors qu'elles devraient différer.`,
      `${clash.join(', ')} and ${firstRef} are the same image, though they should differ.`,
    ));
  },
};
