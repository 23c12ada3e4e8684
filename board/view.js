// The board's pure logic: statuses, sorting, filtering, relative times. No DOM here, so the unit tests run it in Node.

/** A symbol beside every colour: the grid reads in black and white, on a washed-out projector, by anyone. */
export const STATUS_SYMBOL = {
  pass: '✓',
  partial: '◐',
  fail: '✗',
  none: '·',
  skip: '?',
  error: '!',
};

/** Exercise and skill statuses of the API as the grid shows them: a skill still `pending` is `none` (nothing yet). */
export function cellStatus(status) {
  return status === 'pass' || status === 'partial' || status === 'fail' ? status : 'none';
}

/** A check's status in a report (pass, fail, skip, error); anything else reads as an error, never as a pass. */
export function checkStatus(status) {
  return status === 'pass' || status === 'fail' || status === 'skip' ? status : 'error';
}

/**
 * How stuck a student is: a failed exercise counts 1, a partial one ½ (started, not finished). Students who
 * have not started an exercise are not stuck on it: the board shows them as "not yet" instead.
 */
export function stuckWeight(row) {
  let weight = 0;
  for (const exercise of Object.values(row.exercises ?? {})) {
    if (exercise.status === 'fail') weight += 1;
    else if (exercise.status === 'partial') weight += 0.5;
  }
  return weight;
}

// Intl objects are costly to make and a render formats hundreds of cells: one of each per language.
const formatters = new Map();
function formatter(kind, lang, make) {
  const key = `${kind}:${lang}`;
  if (!formatters.has(key)) formatters.set(key, make());
  return formatters.get(key);
}

function time(iso) {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * Rows sorted for the grid. Each key has the direction an instructor wants first: names A→Z, best score first,
 * most recent first, most stuck first; `reverse` flips it. Ties fall back on the name, so the order is stable.
 */
export function sortRows(rows, key, reverse, lang) {
  const collator = formatter('collator', lang, () => new Intl.Collator(lang, { sensitivity: 'base' }));
  const byName = (a, b) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const primary = {
    name: () => 0,
    score: (a, b) => b.percent - a.percent,
    lastSeen: (a, b) => time(b.lastSeen) - time(a.lastSeen),
    stuck: (a, b) => stuckWeight(b) - stuckWeight(a) || a.percent - b.percent,
  }[key] ?? (() => 0);
  const sorted = [...rows].sort((a, b) => primary(a, b) || byName(a, b));
  return reverse ? sorted.reverse() : sorted;
}

/** Case- and accent-insensitive form of a name for searching: "Élodie" is found by "elo". */
export function searchable(text) {
  return String(text).normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Rows kept by the filters: a name search, only flagged students, only scores strictly below a percentage. */
export function filterRows(rows, { query = '', onlyFlagged = false, below = null } = {}) {
  const wanted = searchable(query.trim());
  return rows.filter(
    (row) =>
      (!wanted || searchable(row.name).includes(wanted)) &&
      (!onlyFlagged || (row.flags ?? []).length > 0) &&
      (below === null || row.percent < below),
  );
}

/** The "below X%" field: a number from 0 to 100, or null (no filter) for an empty or unreadable entry. */
export function readBelow(text) {
  const value = Number(String(text).trim().replace(',', '.'));
  if (String(text).trim() === '' || !Number.isFinite(value)) return null;
  return Math.min(100, Math.max(0, value));
}

const UNITS = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** "il y a 3 minutes" / "3 minutes ago"; under ten seconds `justNow`, and `never` when there is no date. */
export function relativeTime(iso, nowMs, lang, words) {
  const then = Date.parse(iso);
  if (!iso || Number.isNaN(then)) return words.never;
  const seconds = Math.round((nowMs - then) / 1000);
  if (seconds < 10) return words.justNow;
  const format = formatter('relative', lang, () => new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }));
  for (const [unit, size] of UNITS) {
    if (seconds >= size) return format.format(-Math.floor(seconds / size), unit);
  }
  return words.justNow;
}

/** Percentages as the course writes them: one decimal at most, with the language's decimal mark. */
export function formatPercent(value, lang) {
  return formatter('percent', lang, () => new Intl.NumberFormat(lang, { maximumFractionDigits: 1 })).format(Number(value) || 0);
}

/** The exercises of a report grouped for the detail view, in the board's course order when it knows it. */
export function orderedExercises(report, order) {
  const exercises = Array.isArray(report?.exercises) ? report.exercises : [];
  const rank = (id) => {
    const index = order.indexOf(id);
    return index === -1 ? order.length : index;
  };
  return [...exercises].sort((a, b) => rank(a.id) - rank(b.id));
}
