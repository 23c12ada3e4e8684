import { z } from 'zod';
import { shortId } from '../engine/attributes.js';
import { shownSizes } from '../engine/sizes.js';
import { ImageRef } from '../lab/ids.js';
import type { FactKind } from './types.js';
import { both } from '../lab/text.js';

const schema = z
  .strictObject({
    kind: z.literal('shared-image-size'),
    refs: z.array(ImageRef).min(1).describe('Tags that should all name one image'),
  })
  .describe('The disk size of the one image several tags name: what those tags cost together');
type Spec = z.infer<typeof schema>;

/**
 * Tags are names, not copies: however many of them point to an image, the disk holds it once. The answer is
 * only defined once the tags do share one image; until then the student is told to fix the tags first.
 */
export const sharedImageSizeFact: FactKind<Spec> = {
  kind: 'shared-image-size',
  schema,
  inputs: { images: ['refs'] },
  async read(spec, { engine }) {
    const images = await Promise.all(spec.refs.map((ref) => engine.inspectImage(ref)));
    const missing = spec.refs.filter((_, i) => !images[i]);
    if (missing.length) return { value: null, missing: both(`${missing.join(', ')} absente(s) du moteur`, `${missing.join(', ')} not on the engine`) };
    const ids = new Set(images.map((image) => image!.Id));
    if (ids.size > 1) {
      return { value: null, missing: both(`${spec.refs.join(', ')} désignent ${ids.size} images différentes (${[...ids].map(shortId).join(', ')})`, `${spec.refs.join(', ')} point to ${ids.size} different images (${[...ids].map(shortId).join(', ')})`) };
    }
    const [shown, ...others] = await shownSizes(engine, images[0]!);
    return others.length ? { value: shown!, synonyms: others.map(String) } : { value: shown! };
  },
};
