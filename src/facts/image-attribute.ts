import { z } from 'zod';
import { IMAGE_ATTRIBUTES, readAttribute } from '../engine/attributes.js';
import { shownSizes } from '../engine/sizes.js';
import { ImageRef } from '../lab/ids.js';
import type { FactKind } from './types.js';
import { both } from '../lab/text.js';

const schema = z
  .strictObject({
    kind: z.literal('image-attribute'),
    ref: ImageRef.describe('The image to inspect'),
    attribute: z.enum(IMAGE_ATTRIBUTES).describe('The attribute whose value is the answer'),
    envVar: z.string().optional().describe('With attribute env: the answer is the value of this variable only'),
  })
  .describe('The value of one attribute of an image on the student engine');
type Spec = z.infer<typeof schema>;

export const imageAttributeFact: FactKind<Spec> = {
  kind: 'image-attribute',
  schema,
  inputs: { images: ['ref'] },
  async read(spec, { engine }) {
    const image = await engine.inspectImage(spec.ref);
    if (!image) return { value: null, missing: both(`${spec.ref} n'est pas sur le moteur`, `${spec.ref} is not on the engine`) };
    const value = readAttribute(image, spec.attribute);
    if (spec.envVar && Array.isArray(value)) {
      const entry = value.find((item) => item.startsWith(`${spec.envVar}=`));
      if (!entry) return { value: null, missing: both(`${spec.ref} n'a pas de variable ${spec.envVar}`, `${spec.ref} has no ${spec.envVar} variable`) };
      return { value: entry.slice(spec.envVar.length + 1) };
    }
    if (spec.attribute === 'size') {
      // docker inspect's Size, and on the containerd store docker images's other figure: either is a right answer.
      const others = (await shownSizes(engine, image)).filter((size) => size !== value).map(String);
      return others.length ? { value, synonyms: others } : { value };
    }
    return { value };
  },
};
