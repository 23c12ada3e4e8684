import { z } from 'zod';
import { instructionOf } from '../analysis/history.js';
import { ImageRef } from '../lab/ids.js';
import type { FactKind } from './types.js';
import { both } from '../lab/text.js';

const schema = z
  .strictObject({
    kind: z.literal('image-history'),
    ref: ImageRef.describe('The image whose history (`docker history`) is read'),
    answer: z
      .enum(['largest-layer-instruction', 'metadata-steps', 'filesystem-steps'])
      .describe(
        'largest-layer-instruction: the Dockerfile keyword (RUN, COPY, ADD…, IMPORT for an imported layer) of the step with the biggest size; ' +
          'metadata-steps: how many steps are 0 B; filesystem-steps: how many are not',
      ),
  })
  .describe("A figure read from an image's history on the student engine");
type Spec = z.infer<typeof schema>;

export const imageHistoryFact: FactKind<Spec> = {
  kind: 'image-history',
  schema,
  inputs: { images: ['ref'] },
  async read(spec, { engine }) {
    const history = await engine.imageHistory(spec.ref);
    if (!history) return { value: null, missing: both(`${spec.ref} n'est pas sur le moteur`, `${spec.ref} is not on the engine`) };
    if (spec.answer === 'metadata-steps') return { value: history.filter((step) => step.Size === 0).length };
    if (spec.answer === 'filesystem-steps') return { value: history.filter((step) => step.Size > 0).length };
    // The first of equals, in build order (history lists the newest step first).
    const largest = [...history].reverse().reduce((best, step) => (step.Size > best.Size ? step : best));
    const keyword = instructionOf(largest.CreatedBy ?? '');
    if (!keyword) return { value: null, missing: both(`la plus grosse étape de ${spec.ref} (« ${largest.CreatedBy} ») ne nomme aucune instruction de Dockerfile`, `the largest step of ${spec.ref} ("${largest.CreatedBy}") names no Dockerfile instruction`) };
    return { value: keyword };
  },
};
