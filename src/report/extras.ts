import { z } from 'zod';
import { formatPath } from '../lab/format-path.js';

// A report read from the network may carry fields tp7-report/1 does not define: the format allows fields to be
// added, so a newer tp7's report is read by an older board. They are kept, but only so much of them: a field
// nested 100,000 deep (which JSON.stringify cannot write back: "Maximum call stack size exceeded") or a megabyte
// of junk keys (several megabytes of server memory per student) is dropped, and the reader says which. Measured
// without recursion and stopping as soon as a limit is passed, so a field's cost is at most the limits, never
// its own size.

/** How much a report may carry beyond its schema, all unknown fields together. */
export interface ExtraLimits {
  /** Nesting inside one unknown field: `{"a": {"b": 1}}` is 2 deep, a plain value 0. */
  depth: number;
  /** Values (objects, arrays, strings, numbers...) in all unknown fields together. */
  values: number;
  /** Characters of JSON text of all unknown fields together, their keys included. */
  chars: number;
}

export const EXTRA_LIMITS: ExtraLimits = { depth: 8, values: 2_000, chars: 32 * 1024 };

/** At most this many dropped fields are named. */
const NAMED = 20;

export interface Bounded<T> {
  value: T;
  /** Paths of the unknown fields that were dropped (the first few), as `exercises[0].checks[1].junk`. */
  dropped: string[];
}

interface Budget {
  values: number;
  chars: number;
  dropped: string[];
}

/** The cost of one unknown value, or undefined as soon as it passes the depth or what is left of the budget. */
function cost(value: unknown, limits: ExtraLimits, budget: Budget): { values: number; chars: number } | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]];
  let values = 0;
  let chars = 0;
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    values += 1;
    let children: unknown[] = [];
    if (Array.isArray(item)) {
      chars += 2 + item.length;
      children = item;
    } else if (item !== null && typeof item === 'object') {
      const keys = Object.keys(item);
      chars += 2 + keys.reduce((sum, key) => sum + key.length + 4, 0);
      children = keys.map((key) => (item as Record<string, unknown>)[key]);
    } else {
      chars += typeof item === 'string' ? item.length + 2 : String(item).length;
    }
    // Checked before the children are looked at: a field past the limits costs no more than the limits.
    if (values + children.length > budget.values || chars > budget.chars) return undefined;
    if (children.length && depth >= limits.depth) return undefined;
    for (const child of children) stack.push([child, depth + 1]);
  }
  return { values, chars };
}

function inner(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return inner(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodDefault) return inner(schema.removeDefault() as z.ZodType);
  return schema;
}

function bound(schema: z.ZodType, value: unknown, path: PropertyKey[], limits: ExtraLimits, budget: Budget): unknown {
  const known = inner(schema);
  if (known instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((item, index) => bound(known.element as z.ZodType, item, [...path, index], limits, budget));
  }
  if (!(known instanceof z.ZodObject) || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const shape = known.shape as Record<string, z.ZodType>;
  const kept: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (Object.hasOwn(shape, key)) {
      kept[key] = bound(shape[key]!, child, [...path, key], limits, budget);
      continue;
    }
    const spent = cost(child, limits, budget);
    if (spent && key.length + 4 <= budget.chars - spent.chars) {
      budget.values -= spent.values;
      budget.chars -= spent.chars + key.length + 4;
      kept[key] = child;
    } else if (budget.dropped.length < NAMED) {
      budget.dropped.push(formatPath([...path, key]));
    }
  }
  return kept;
}

/**
 * `value` (already valid against `schema`, a zod schema of open objects) with its unknown fields bounded by
 * `limits`: the fields the schema names are kept whole, unknown ones in document order while the budget lasts.
 */
export function boundExtras<T>(schema: z.ZodType, value: T, limits: ExtraLimits = EXTRA_LIMITS): Bounded<T> {
  const budget: Budget = { values: limits.values, chars: limits.chars, dropped: [] };
  return { value: bound(schema, value, [], limits, budget) as T, dropped: budget.dropped };
}
