import { z } from 'zod';

interface Kind {
  kind: string;
  schema: z.ZodType;
}

export interface KindRegistry<K extends Kind, Spec> {
  get(kind: string): K;
  names(): string[];
  /** The discriminated union of every kind's schema, for the lab schema. */
  schema: z.ZodType<Spec>;
}

/** Probe kinds and fact kinds are registered the same way: a list of kinds, looked up by their `kind` field. */
export function kindRegistry<K extends Kind, Spec>(what: string, kinds: readonly K[], description: string): KindRegistry<K, Spec> {
  const byKind = new Map(kinds.map((entry) => [entry.kind, entry]));
  const names = [...byKind.keys()];
  const options = kinds.map((entry) => entry.schema) as unknown as [z.ZodObject, ...z.ZodObject[]];
  return {
    get(kind) {
      const found = byKind.get(kind);
      if (!found) throw new Error(`unknown ${what} kind "${kind}"`);
      return found;
    },
    names: () => names,
    schema: z.discriminatedUnion('kind', options).describe(`${description}; kind is one of: ${names.join(', ')}`) as unknown as z.ZodType<Spec>,
  };
}
