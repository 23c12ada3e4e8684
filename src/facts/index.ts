// The one place fact kinds (answers of engine-derived questions) are registered, like probes/index.ts.
import { z } from 'zod';
import { imageAttributeFact } from './image-attribute.js';
import { imageHistoryFact } from './image-history.js';
import { registryDigestFact } from './registry-digest.js';
import { sharedImageIdFact } from './shared-image-id.js';
import { sharedImageSizeFact } from './shared-image-size.js';
import { smallestFileFact } from './smallest-file.js';
import type { FactKind } from './types.js';

export const FACT_KINDS = [imageAttributeFact, sharedImageIdFact, sharedImageSizeFact, imageHistoryFact, registryDigestFact, smallestFileFact] as const;

export type FactSpec = z.infer<(typeof FACT_KINDS)[number]['schema']>;

const byKind = new Map<string, FactKind<{ kind: string }>>(
  FACT_KINDS.map((fact) => [fact.kind, fact as unknown as FactKind<{ kind: string }>]),
);

export function factKind(kind: string): FactKind<{ kind: string }> {
  const fact = byKind.get(kind);
  if (!fact) throw new Error(`unknown fact kind "${kind}"`);
  return fact;
}

export const FactSchema: z.ZodType<FactSpec> = z
  .discriminatedUnion('kind', FACT_KINDS.map((fact) => fact.schema) as unknown as [z.ZodObject, ...z.ZodObject[]])
  .describe(`Where the answer is read from; kind is one of: ${FACT_KINDS.map((fact) => fact.kind).join(', ')}`) as unknown as z.ZodType<FactSpec>;
