// What each check of an exercise reads (from its kind's declared `inputs`, applied to its spec) and whether a
// change can affect it: `tp7 watch` re-runs only the checks a change can reach.
import { normalize } from 'node:path';
import { factKind } from '../facts/index.js';
import type { Check } from '../lab/schema.js';
import { probeKind } from '../probes/index.js';
import { repositoryName } from '../probes/containers.js';
import { referenceOf } from '../reference.js';
import type { ProbeInputs } from '../probes/types.js';
import type { Question } from '../questions/schema.js';

export type Item = { kind: 'check'; check: Check } | { kind: 'question'; question: Question };

/** What one check reads: names and paths from its spec, or 'any'. */
export interface Inputs {
  images: string[] | 'any';
  containers: string[] | 'any';
  files: string[] | 'any';
  registry: boolean;
  /** The student's recorded answers (questions). */
  progress: boolean;
}

/** What may have changed: an engine event, files of the workdir, the progress file, or (a poll) the registry. */
export interface Change {
  images?: string[] | 'any';
  containers?: string[] | 'any';
  files?: string[] | 'any';
  registry?: boolean;
  progress?: boolean;
}

const EVERYTHING: Inputs = { images: 'any', containers: 'any', files: 'any', registry: true, progress: false };

/** The strings a spec holds at `field` (`refs`, or `files.path` for the `path` of each item of `files`). */
function valuesAt(value: unknown, field: string): string[] {
  const [head, ...rest] = field.split('.');
  const found = (value as Record<string, unknown> | undefined)?.[head!];
  const items = Array.isArray(found) ? found : found === undefined ? [] : [found];
  return items.flatMap((item) => (rest.length ? valuesAt(item, rest.join('.')) : typeof item === 'string' ? [item] : []));
}

function pickAll(spec: unknown, fields: readonly string[] | 'any' | undefined): string[] | 'any' {
  if (fields === 'any') return 'any';
  return (fields ?? []).flatMap((field) => valuesAt(spec, field));
}

function fromDeclared(spec: unknown, declared: ProbeInputs | undefined): Inputs {
  if (!declared) return { ...EVERYTHING };
  return {
    images: pickAll(spec, declared.images),
    containers: pickAll(spec, declared.containers),
    files: pickAll(spec, declared.files),
    registry: declared.registry ?? false,
    progress: false,
  };
}

export function inputsOf(item: Item): Inputs {
  if (item.kind === 'check') return fromDeclared(item.check.probe, probeKind(item.check.probe.kind).inputs);
  const question = item.question;
  const derived = question.kind === 'engine' ? fromDeclared(question.derive, factKind(question.derive.kind).inputs) : fromDeclared(undefined, {});
  return { ...derived, progress: true };
}

/** `nginx` and `docker.io/library/nginx:latest` are one name; a digest reference matches its repository. */
function sameImageName(a: string, b: string): boolean {
  if (repositoryName(a) !== repositoryName(b)) return false;
  return a.includes('@') || b.includes('@') || tagOf(a) === tagOf(b);
}

function tagOf(ref: string): string {
  return referenceOf(ref)?.tag ?? 'latest';
}

/** A path of the workdir, a file under a folder, or a folder holding a file: either contains the other. */
function samePathOrNested(a: string, b: string): boolean {
  const [x, y] = [normalize(a).replace(/\/+$/, ''), normalize(b).replace(/\/+$/, '')];
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`) || x === '.' || y === '.';
}

function meets(read: string[] | 'any', changed: string[] | 'any' | undefined, same: (a: string, b: string) => boolean): boolean {
  if (!changed || (Array.isArray(changed) && !changed.length)) return false;
  if (read === 'any' || changed === 'any') return read === 'any' || read.length > 0;
  return read.some((a) => changed.some((b) => same(a, b)));
}

/** Whether `change` can alter what a check with these inputs sees. */
export function affects(change: Change, inputs: Inputs): boolean {
  return (
    meets(inputs.images, change.images, sameImageName) ||
    meets(inputs.containers, change.containers, (a, b) => a.replace(/^\//, '') === b.replace(/^\//, '')) ||
    meets(inputs.files, change.files, samePathOrNested) ||
    (Boolean(change.registry) && inputs.registry) ||
    (Boolean(change.progress) && inputs.progress)
  );
}

function union(a: string[] | 'any' | undefined, b: string[] | 'any' | undefined): string[] | 'any' | undefined {
  if (a === 'any' || b === 'any') return 'any';
  if (!a || !b) return a ?? b;
  return [...new Set([...a, ...b])];
}

/** Both changes at once (events arriving while a round runs add up for the next one). */
export function mergeChanges(a: Change, b: Change): Change {
  return {
    images: union(a.images, b.images),
    containers: union(a.containers, b.containers),
    files: union(a.files, b.files),
    registry: Boolean(a.registry || b.registry),
    progress: Boolean(a.progress || b.progress),
  };
}

/** Anything may have changed (a poll, a lost event stream): every check is looked at again. */
export const ANY_CHANGE: Change = { images: 'any', containers: 'any', files: 'any', registry: true, progress: true };
