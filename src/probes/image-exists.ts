import { z } from 'zod';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { shortId } from '../engine/attributes.js';
import { outcome, type ProbeKind } from './types.js';
import { missingImage } from './refs.js';

const schema = z
  .strictObject({
    kind: z.literal('image-exists'),
    ref: ImageRef.describe('The image reference that must exist on the engine'),
    present: z.boolean().default(true).describe('false to require that the image is absent (e.g. after a cleanup)'),
  })
  .describe('An image reference exists (or does not) on the Docker engine');
type Spec = z.infer<typeof schema>;

export const imageExists: ProbeKind<Spec> = {
  kind: 'image-exists',
  schema,
  inputs: { images: ['ref'] },
  async run(spec, { engine }) {
    const image = await engine.inspectImage(spec.ref);
    const expected = spec.present ? `${spec.ref} present` : `${spec.ref} absent`;
    if (image && spec.present) {
      return outcome('pass', expected, `${spec.ref} → ${shortId(image.Id)}`, both(`${spec.ref} est présente.`, `${spec.ref} is present.`));
    }
    if (!image && !spec.present) {
      return outcome('pass', expected, `${spec.ref} absent`, both(`${spec.ref} n'existe plus.`, `${spec.ref} is gone.`));
    }
    if (image) {
      return outcome('fail', expected, `${spec.ref} → ${shortId(image.Id)}`, both(
        `${spec.ref} est encore présente sur votre moteur Docker.`,
        `${spec.ref} is still on your Docker engine.`,
      ));
    }
    return missingImage(engine, spec.ref, expected);
  },
};
