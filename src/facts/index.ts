// The one place fact kinds (answers of engine-derived questions) are registered, like probes/index.ts.
import type { z } from 'zod';
import { kindRegistry } from '../lab/kinds.js';
import { imageAttributeFact } from './image-attribute.js';
import { imageHistoryFact } from './image-history.js';
import { referencePartFact } from './reference-part.js';
import { registryDigestFact } from './registry-digest.js';
import { sharedImageIdFact } from './shared-image-id.js';
import { sharedImageSizeFact } from './shared-image-size.js';
import { smallestFileFact } from './smallest-file.js';
import { setupWasteFact } from './setup-waste.js';
import { upstreamListFact } from './upstream-list.js';
import type { FactKind } from './types.js';

export const FACT_KINDS = [imageAttributeFact, sharedImageIdFact, sharedImageSizeFact, imageHistoryFact, registryDigestFact, smallestFileFact, upstreamListFact, referencePartFact, setupWasteFact] as const;

export type FactSpec = z.infer<(typeof FACT_KINDS)[number]['schema']>;

const registry = kindRegistry<FactKind<{ kind: string }>, FactSpec>(
  'fact',
  FACT_KINDS as unknown as FactKind<{ kind: string }>[],
  'Where the answer is read from',
);

export const factKind = registry.get;
export const factKindNames = registry.names;
export const FactSchema = registry.schema;
