// Reads what a student's comparison script printed about two images, as tolerantly as a person would: the
// course's sectioned form ("Taille:" then "  nginx:alpine: 23.4MB"), one line per figure and image
// ("size nginx:alpine: 23.4MB", "nginx:alpine size=23.4MB") or a table whose header names both images.
import { normaliseText } from '../questions/normalise.js';

export const FIGURES = ['size', 'layers', 'architecture', 'os', 'created'] as const;
export type Figure = (typeof FIGURES)[number];

/** The text printed for each image and figure (first one found wins). */
export type Printed = Map<string, Partial<Record<Figure, string>>>;

const LABELS: Array<[Figure, RegExp]> = [
  ['size', /\b(taille|size|poids|weight)\b/],
  ['layers', /\b(layers?|couches?)\b/],
  ['architecture', /\b(architecture|arch)\b/],
  ['os', /\b(os|systeme|system|operating system)\b/],
  ['created', /\b(creee?|created|creation|date)\b/],
];

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Where `ref` stands in the line as a whole name (not inside a longer one), or -1. */
function findRef(line: string, ref: string): number {
  for (let at = line.indexOf(ref); at >= 0; at = line.indexOf(ref, at + 1)) {
    const before = line[at - 1] ?? ' ';
    const after = line[at + ref.length] ?? ' ';
    if (!/[\w./-]/.test(before) && !/[\w.-]/.test(after)) return at;
  }
  return -1;
}

/** The first label in the line, with where it ends (labels are matched on lowercase, accent-free text). */
function findLabel(line: string): { figure: Figure; end: number; start: number } | undefined {
  const plain = line.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  let best: { figure: Figure; end: number; start: number } | undefined;
  for (const [figure, pattern] of LABELS) {
    const match = pattern.exec(plain);
    if (match && (!best || match.index < best.start)) best = { figure, start: match.index, end: match.index + match[0].length };
  }
  return best;
}

function cleanValue(text: string): string {
  return text.replace(/^[\s:=|>\])}–-]+/, '').replace(/[\s|]+$/, '').trim();
}

function blank(line: string, refs: readonly string[]): string {
  let out = line;
  for (const ref of refs) {
    const at = findRef(out, ref);
    if (at >= 0) out = out.slice(0, at) + ' '.repeat(ref.length) + out.slice(at + ref.length);
  }
  return out;
}

export function readComparison(output: string, refs: readonly [string, string]): Printed {
  const printed: Printed = new Map(refs.map((ref) => [ref, {}]));
  const store = (ref: string, figure: Figure | undefined, value: string): void => {
    const slot = printed.get(ref)!;
    if (figure && value && slot[figure] === undefined) slot[figure] = value;
  };
  let section: Figure | undefined;
  let columns: string[] | undefined;
  for (const raw of output.replace(ANSI, '').split(/\r?\n/)) {
    const found = refs.map((ref) => ({ ref, at: findRef(raw, ref) })).filter((hit) => hit.at >= 0);
    const unlabelled = blank(raw, refs);
    const label = findLabel(unlabelled);
    if (found.length === 2) {
      columns = found.sort((a, b) => a.at - b.at).map((hit) => hit.ref); // a title or a table header
      continue;
    }
    if (found.length === 1) {
      const { ref, at } = found[0]!;
      const afterRef = raw.slice(at + ref.length);
      const trailing = findLabel(afterRef);
      // "nginx:alpine size: 23MB": a label right after the name; "size nginx:alpine: 23MB": one before it.
      const labelFollows = trailing !== undefined && cleanValue(afterRef.slice(0, trailing.start)) === '';
      const leading = label && label.start < at ? label.figure : undefined;
      store(ref, labelFollows ? trailing.figure : leading ?? section, cleanValue(labelFollows ? afterRef.slice(trailing.end) : afterRef));
      continue;
    }
    if (!label) continue;
    const cells = unlabelled
      .slice(label.end)
      .split(/\s{2,}|\t|\|/)
      .map(cleanValue)
      .filter((cell) => /[\p{L}\p{N}]/u.test(cell));
    if (columns && cells.length >= 2) {
      store(columns[0]!, label.figure, cells[0]!);
      store(columns[1]!, label.figure, cells[1]!);
    } else if (cells.length === 0) {
      section = label.figure; // a heading such as "Taille:" or "=== Layers ==="
    }
  }
  return printed;
}

/** What the engine says, for one image. */
export interface EngineFigures {
  /** What `docker images` and `docker inspect` show (one number on the classic store, two on containerd): either is right. */
  sizes: number[];
  /** Filesystem layers (RootFS) and history rows: the course's script counts the latter; both are accepted. */
  layerCounts: number[];
  architecture: string;
  os: string;
  created: string;
}

export type Verdict = { ok: true } | { ok: false; reason: 'missing' | 'wrong' | 'relative-date' };

/** A size from `docker images` has three significant digits: 1 % covers its rounding, not another image. */
const SIZE_TOLERANCE = 0.01;

function sizesIn(text: string): number[] {
  const match = /(\d+(?:[.,]\d+)?)\s*([a-z]{0,6})/i.exec(text);
  if (!match) return [];
  const amount = Number(match[1]!.replace(',', '.'));
  const unit = match[2]!.toLowerCase();
  const factors: Record<string, number[]> = {
    '': [1], b: [1], o: [1], bytes: [1], octets: [1],
    kb: [1e3, 1024], ko: [1e3, 1024], k: [1e3, 1024], kib: [1024],
    mb: [1e6, 1024 ** 2], mo: [1e6, 1024 ** 2], m: [1e6, 1024 ** 2], mib: [1024 ** 2],
    gb: [1e9, 1024 ** 3], go: [1e9, 1024 ** 3], g: [1e9, 1024 ** 3], gib: [1024 ** 3],
  };
  return (factors[unit] ?? []).map((factor) => amount * factor);
}

/** A printed date, in milliseconds, and whether it carried a time of day. */
function instantOf(text: string): { ms: number; withTime: boolean } | undefined {
  const full = /(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?/.exec(text);
  if (full) {
    const zone = (full[3] ?? 'Z').replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
    const ms = Date.parse(`${full[1]}T${full[2]}${zone}`);
    return Number.isNaN(ms) ? undefined : { ms, withTime: true };
  }
  const day = /(\d{4}-\d{2}-\d{2})/.exec(text);
  if (day) return { ms: Date.parse(`${day[1]}T00:00:00Z`), withTime: false };
  const epoch = /^\d{10}$/.exec(text.trim());
  if (epoch) return { ms: Number(epoch[0]) * 1000, withTime: true };
  return undefined;
}

export function judgeFigure(figure: Figure, printed: string | undefined, engine: EngineFigures): Verdict {
  if (printed === undefined || printed === '') return { ok: false, reason: 'missing' };
  const words = normaliseText(printed).split(/[\s/]+/);
  switch (figure) {
    case 'size':
      return sizesIn(printed).some((bytes) => engine.sizes.some((size) => Math.abs(bytes - size) <= size * SIZE_TOLERANCE)) ? { ok: true } : { ok: false, reason: 'wrong' };
    case 'layers': {
      const count = /\d+/.exec(printed);
      return count && engine.layerCounts.includes(Number(count[0])) ? { ok: true } : { ok: false, reason: 'wrong' };
    }
    case 'architecture':
      return words.includes(engine.architecture.toLowerCase()) ? { ok: true } : { ok: false, reason: 'wrong' };
    case 'os':
      return words.includes(engine.os.toLowerCase()) ? { ok: true } : { ok: false, reason: 'wrong' };
    case 'created': {
      if (/\b(ago|il y a)\b/i.test(printed)) return { ok: false, reason: 'relative-date' };
      const instant = instantOf(printed);
      const truth = Date.parse(engine.created);
      if (!instant) return { ok: false, reason: 'wrong' };
      const same = instant.withTime
        ? Math.floor(instant.ms / 1000) === Math.floor(truth / 1000)
        : new Date(instant.ms).toISOString().slice(0, 10) === new Date(truth).toISOString().slice(0, 10);
      return same ? { ok: true } : { ok: false, reason: 'wrong' };
    }
  }
}
