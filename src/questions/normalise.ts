// Answers are compared after normalisation so that case, accents, quotes, brackets and spacing never
// decide whether a student is right ("[nginx -g daemon off;]" and "nginx -g 'daemon off;'" are the same).

function withoutAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

export function normaliseText(text: string): string {
  return withoutAccents(text)
    .toLowerCase()
    .replace(/[[\]{}"'`,]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!]$/, '')
    .trim();
}

const YES = new Set(['y', 'yes', 'yeah', 'yep', 'o', 'oui', 'ouais', 'true', 'vrai', '1']);
const NO = new Set(['n', 'no', 'nope', 'non', 'false', 'faux', '0']);

export function parseYesNo(text: string): boolean | undefined {
  const word = normaliseText(text).split(' ')[0] ?? '';
  if (YES.has(word)) return true;
  if (NO.has(word)) return false;
  return undefined;
}

// Decimal and binary readings of each unit: `docker images` prints MB meaning 10^6, students often mean MiB.
const DECIMAL_OR_BINARY = (power: number) => [1000 ** power, 1024 ** power];
const UNITS: Record<string, number[]> = {
  '': [1],
  ...Object.fromEntries(['b', 'o', 'byte', 'bytes', 'octet', 'octets'].map((unit) => [unit, [1]])),
  ...Object.fromEntries(['k', 'kb', 'ko', 'kilobyte', 'kilobytes', 'kilooctet', 'kilooctets'].map((unit) => [unit, DECIMAL_OR_BINARY(1)])),
  ...Object.fromEntries(['m', 'mb', 'mo', 'mega', 'megas', 'megabyte', 'megabytes', 'megaoctet', 'megaoctets'].map((unit) => [unit, DECIMAL_OR_BINARY(2)])),
  ...Object.fromEntries(['g', 'gb', 'go', 'gigabyte', 'gigabytes', 'gigaoctet', 'gigaoctets'].map((unit) => [unit, DECIMAL_OR_BINARY(3)])),
  kib: [1024],
  kio: [1024],
  mib: [1024 ** 2],
  mio: [1024 ** 2],
  gib: [1024 ** 3],
  gio: [1024 ** 3],
};

/** Readings of an amount: "42,5" (French decimal comma), "42 456 789" and "42,456,789" (thousands). */
function amounts(text: string): number[] {
  const grouped = text.replace(/[\u00a0\u202f]/g, ' ');
  if (/^\d{1,3}( \d{3})+$/.test(grouped) || /^\d{1,3}(,\d{3}){2,}$/.test(grouped)) return [Number(grouped.replace(/[ ,]/g, ''))];
  if (!/^\d+([.,]\d+)?$/.test(grouped)) return [];
  const decimal = Number(grouped.replace(',', '.'));
  // "42,456": a French decimal or an English thousands separator; both are read.
  return /^\d{1,3},\d{3}$/.test(grouped) ? [decimal, Number(grouped.replace(',', ''))] : [decimal];
}

/**
 * "42456789", "42 MB", "42,4 Mo", "40.5MiB", "43.4MB" (`docker images`), "Size: 42456789", "~42 Mo" → candidate
 * byte counts (decimal and binary readings of the unit).
 */
export function parseSize(text: string): number[] {
  // `docker system df` prints "12.5MB (45%)": the share after the size is not part of it.
  const plain = withoutAccents(text.replace(/\s*\(\s*[0-9]+(?:[.,][0-9]+)?\s*%\s*\)\s*$/, ''))
    .toLowerCase()
    .trim()
    // `docker system df` prints "12.5MB (45%)": the share after the size is not part of it.
    .replace(/\s*\(\s*[0-9]+(?:[.,][0-9]+)?\s*%\s*\)$/, '')
    .replace(/[.!]$/, '')
    // `docker system df` prints "12.5MB (45%)": the share after the size is not part of it.
    .replace(/\s*\(\s*[0-9]+(?:[.,][0-9]+)?\s*%\s*\)$/, '')
    .replace(/^[a-z ]*[:=]?\s*(?=[\d~≈])/, '')
    .replace(/^[~≈]\s*/, '');
  const match = /^([0-9][0-9 \u00a0\u202f.,]*?)\s*([a-z]*)$/.exec(plain);
  if (!match) return [];
  const factors = UNITS[match[2]!];
  if (!factors) return [];
  return amounts(match[1]!.trim()).flatMap((amount) => factors.map((factor) => amount * factor));
}

/** Whether an answer is a bare number (read as bytes): a student who meant megabytes is told to add the unit. */
export function isBareNumber(text: string): boolean {
  return /^\s*\d+([.,]\d+)?\s*$/.test(text);
}

const MONTHS: Array<[number, string[]]> = [
  [1, ['janvier', 'janv', 'january', 'jan']],
  [2, ['fevrier', 'fevr', 'fev', 'february', 'feb']],
  [3, ['mars', 'march', 'mar']],
  [4, ['avril', 'avr', 'april', 'apr']],
  [5, ['mai', 'may']],
  [6, ['juin', 'june', 'jun']],
  [7, ['juillet', 'juil', 'july', 'jul']],
  [8, ['aout', 'august', 'aug']],
  [9, ['septembre', 'sept', 'september', 'sep']],
  [10, ['octobre', 'october', 'oct']],
  [11, ['novembre', 'november', 'nov']],
  [12, ['decembre', 'december', 'dec']],
];
const MONTH_NUMBER = new Map(MONTHS.flatMap(([month, names]) => names.map((name) => [name, month] as const)));
const WEEKDAYS = /\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)\b/g;

/** YYYY-MM-DD of a real calendar day, or undefined (31/02 is no day). */
function day(year: number, month: number, date: number): string | undefined {
  const year4 = year < 100 ? 2000 + year : year;
  const time = new Date(Date.UTC(year4, month - 1, date));
  if (time.getUTCFullYear() !== year4 || time.getUTCMonth() !== month - 1 || time.getUTCDate() !== date) return undefined;
  return time.toISOString().slice(0, 10);
}

/**
 * The calendar days (UTC) a written date may mean: ISO 8601 ("2024-01-15", "2024-01-15T12:34:56Z", what
 * `docker inspect` prints), "2024/01/15", day first as the French write it ("15/01/2024", "15-01-2024",
 * "15.01.24"; month first only when day first is no date, as in "01/15/2024"), and month names in French or
 * English ("15 janvier 2024", "1er févr. 2024", "January 15, 2024", "Mon Jan 15 2024").
 */
export function parseDays(text: string): string[] {
  const trimmed = text.trim();
  // A full timestamp with its zone: the UTC day, as the engine's Created field counts it.
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed)) {
    const time = Date.parse(trimmed);
    if (!Number.isNaN(time)) return [new Date(time).toISOString().slice(0, 10)];
  }
  const plain = normaliseText(trimmed).replace(WEEKDAYS, ' ').replace(/\b(le|the|on)\b/g, ' ').replace(/(\d)(er|st|nd|rd|th)\b/g, '$1').trim();
  const yearFirst = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?=$|[t\s])/.exec(plain);
  if (yearFirst) return compact([day(+yearFirst[1]!, +yearFirst[2]!, +yearFirst[3]!)]);
  const dayFirst = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?=$|\s)/.exec(plain);
  if (dayFirst) {
    const [a, b, year] = [+dayFirst[1]!, +dayFirst[2]!, +dayFirst[3]!];
    // Day first, as the French write it; month first only when day first is no date (11/28/2026).
    return compact([day(year, b, a) ?? day(year, a, b)]);
  }
  const words = plain.replace(/[.,]/g, ' ').split(/\s+/).filter(Boolean);
  const month = words.map((word) => MONTH_NUMBER.get(word)).find((found) => found !== undefined);
  const numbers = words.filter((word) => /^\d{1,4}$/.test(word)).map(Number);
  if (month === undefined || numbers.length !== 2) return [];
  const year = numbers.find((n) => n > 31) ?? numbers[1]!;
  const date = numbers.find((n) => n !== year) ?? numbers[0]!;
  return compact([day(year, month, date)]);
}

function compact(days: Array<string | undefined>): string[] {
  return [...new Set(days.filter((found): found is string => found !== undefined))];
}

/** The one calendar day an unambiguous date means (see parseDays), else undefined. */
export function parseDay(text: string): string | undefined {
  const days = parseDays(text);
  return days.length === 1 ? days[0] : undefined;
}

/** "80" → "80/tcp"; "443/TCP" → "443/tcp"; the raw `{{.Config.ExposedPorts}}` output "map[80/tcp:{}]" too. */
export function parsePorts(text: string): string[] {
  return normaliseText(text.replace(/map\[/g, '[').replace(/:\{\}/g, ' '))
    .split(/[\s;]+/)
    // "port 80", "EXPOSE 80", "ports : 80 et 443" say the same numbers.
    .map((word) => word.replace(/:$/, ''))
    .filter((word) => word && !['port', 'ports', 'expose', 'and', 'et', '-'].includes(word))
    .map((port) => (port.includes('/') ? port : `${port}/tcp`))
    .sort();
}

/** `sha256:ABC…`, `"abc…"`, ` abc… ` → `abc…` (what `docker images`, `--no-trunc` and `docker inspect` print). */
export function normaliseImageId(text: string): string {
  return text.trim().replace(/^["']|["']$/g, '').trim().toLowerCase().replace(/^sha256:/, '');
}

/**
 * The one content digest an answer holds, as 64 lowercase hex digits: `sha256:…`, the bare hex, or a line a command
 * prints around it (`localhost:5000/nginx@sha256:…`, `alpine: digest: sha256:… size: 1568`). Undefined when there is
 * none or more than one.
 */
export function digestHex(text: string): string | undefined {
  const found = new Set([...text.toLowerCase().matchAll(/(?<![0-9a-f])(?:sha256:)?([0-9a-f]{64})(?![0-9a-f])/g)].map((match) => match[1]!));
  return found.size === 1 ? [...found][0] : undefined;
}

/** "7", "7 layers", "7 couches", "3,0" → the number; undefined when the answer does not start with one. */
export function parseNumber(text: string): number | undefined {
  const match = /^\s*(-?\d+(?:[.,]\d+)?)(?:\s*[\p{L} ]*)?\.?\s*$/u.exec(text);
  return match ? Number(match[1]!.replace(',', '.')) : undefined;
}

/** Names of one CPU architecture: Go's (what Docker prints) first, then the kernel's and the vendors'. */
/** The first version number an answer holds: "1.25.4", "nginx/1.25.4", "NGINX_VERSION=1.25.4", "v1.25.4". */
export function parseVersion(text: string): string | undefined {
  return /(?<![\d.])(\d+(?:\.\d+)+)(?![\d.]*\d)/.exec(text)?.[1];
}

/** `NGINX_VERSION=1.25.4` (a line of `.Config.Env`) → `1.25.4`; anything else as it is. */
export function withoutVariableName(text: string): string {
  return text.trim().replace(/^[A-Za-z_][A-Za-z0-9_]*=/, '');
}
