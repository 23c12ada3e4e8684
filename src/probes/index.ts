// The one place probe kinds are registered. To add a kind: write src/probes/<kind>.ts exporting a ProbeKind
// (its zod schema and run function), then add it to PROBE_KINDS below. The lab schema picks it up from here.
import { z } from 'zod';
import { imageAttribute } from './image-attribute.js';
import { imageExists } from './image-exists.js';
import { sameImage } from './same-image.js';
import type { ProbeKind } from './types.js';

export const PROBE_KINDS = [imageExists, sameImage, imageAttribute] as const;

export type ProbeSpec = z.infer<(typeof PROBE_KINDS)[number]['schema']>;

const byKind = new Map<string, ProbeKind<{ kind: string }>>(
  PROBE_KINDS.map((probe) => [probe.kind, probe as unknown as ProbeKind<{ kind: string }>]),
);

export function probeKind(kind: string): ProbeKind<{ kind: string }> {
  const probe = byKind.get(kind);
  if (!probe) throw new Error(`unknown probe kind "${kind}"`);
  return probe;
}

export function probeKindNames(): string[] {
  return [...byKind.keys()];
}

export const ProbeSchema: z.ZodType<ProbeSpec> = z
  .discriminatedUnion(
    'kind',
    PROBE_KINDS.map((probe) => probe.schema) as unknown as [z.ZodObject, ...z.ZodObject[]],
  )
  .describe(`What to check; kind is one of: ${PROBE_KINDS.map((probe) => probe.kind).join(', ')}`) as unknown as z.ZodType<ProbeSpec>;
