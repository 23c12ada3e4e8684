import { z } from 'zod';
import { ImageRef } from '../lab/ids.js';
import type { FactKind } from './types.js';
import { both } from '../lab/text.js';

const schema = z
  .strictObject({
    kind: z.literal('shared-image-id'),
    refs: z.array(ImageRef).min(2).describe('The references looked at (absent ones are ignored)'),
    answer: z
      .enum(['any-shared', 'common-id'])
      .describe('any-shared: yes/no, do at least two of them share an ID; common-id: the ID they all share'),
  })
  .describe('Whether (or which) image ID several references share on the student engine');
type Spec = z.infer<typeof schema>;

export const sharedImageIdFact: FactKind<Spec> = {
  kind: 'shared-image-id',
  schema,
  inputs: { images: ['refs'] },
  async read(spec, { engine }) {
    const images = await Promise.all(spec.refs.map((ref) => engine.inspectImage(ref)));
    const ids = images.flatMap((image) => (image ? [image.Id] : []));
    if (ids.length < 2) return { value: null, missing: both(`moins de deux images parmi ${spec.refs.join(', ')} sont sur le moteur`, `fewer than two of ${spec.refs.join(', ')} are on the engine`) };
    if (spec.answer === 'any-shared') return { value: new Set(ids).size < ids.length };
    if (ids.length < spec.refs.length) return { value: null, missing: both(`${spec.refs.join(', ')} ne sont pas toutes sur le moteur`, `not all of ${spec.refs.join(', ')} are on the engine`) };
    return new Set(ids).size === 1 ? { value: ids[0]! } : { value: null, missing: both(`${spec.refs.join(', ')} n'ont pas un seul et même ID`, `${spec.refs.join(', ')} do not share one ID`) };
  },
};
