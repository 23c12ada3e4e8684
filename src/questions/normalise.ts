// Answers are compared after normalisation so that case, accents, quotes, brackets and spacing never
// decide whether a student is right ("[nginx -g daemon off;]" and "nginx -g 'daemon off;'" are the same).

export function normaliseText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[[\]{}"'`,]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!]$/, '')
    .trim();
}

const YES = new Set(['y', 'yes', 'o', 'oui', 'true', 'vrai', '1']);
const NO = new Set(['n', 'no', 'non', 'false', 'faux', '0']);

export function parseYesNo(text: string): boolean | undefined {
  const word = normaliseText(text).split(' ')[0] ?? '';
  if (YES.has(word)) return true;
  if (NO.has(word)) return false;
  return undefined;
}

const UNITS: Record<string, number[]> = {
  '': [1],
  b: [1],
  o: [1],
  byte: [1],
  bytes: [1],
  octet: [1],
  octets: [1],
  k: [1e3, 1024],
  kb: [1e3, 1024],
  ko: [1e3, 1024],
  kib: [1024],
  m: [1e6, 1024 ** 2],
  mb: [1e6, 1024 ** 2],
  mo: [1e6, 1024 ** 2],
  mib: [1024 ** 2],
  g: [1e9, 1024 ** 3],
  gb: [1e9, 1024 ** 3],
  go: [1e9, 1024 ** 3],
  gib: [1024 ** 3],
};

/** "42456789", "42 MB", "42,4 Mo", "40.5MiB" → candidate byte counts (decimal and binary readings). */
export function parseSize(text: string): number[] {
  // `docker system df` prints "12.5MB (45%)": the share after the size is not part of it.
  const match = /^\s*([0-9]+(?:[.,][0-9]+)?)\s*([a-zA-Z]*)\s*$/.exec(text.trim().replace(/\s*\(\s*[0-9]+(?:[.,][0-9]+)?\s*%\s*\)$/, ''));
  if (!match) return [];
  const amount = Number(match[1]!.replace(',', '.'));
  const factors = UNITS[match[2]!.toLowerCase()];
  return factors ? factors.map((factor) => amount * factor) : [];
}

/** The calendar day (UTC) of a date written as ISO 8601, "2024-01-15" or the French "15/01/2024". */
export function parseDay(text: string): string | undefined {
  const french = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(text);
  if (french) return `${french[3]}-${french[2]!.padStart(2, '0')}-${french[1]!.padStart(2, '0')}`;
  const time = Date.parse(text.trim());
  return Number.isNaN(time) ? undefined : new Date(time).toISOString().slice(0, 10);
}

/** "80" → "80/tcp"; "443/TCP" → "443/tcp"; the raw `{{.Config.ExposedPorts}}` output "map[80/tcp:{}]" too. */
export function parsePorts(text: string): string[] {
  return normaliseText(text.replace(/map\[/g, '[').replace(/:\{\}/g, ' '))
    .split(/[\s;]+/)
    .filter(Boolean)
    .map((port) => (port.includes('/') ? port : `${port}/tcp`))
    .sort();
}

export function normaliseImageId(text: string): string {
  return text.trim().toLowerCase().replace(/^sha256:/, '');
}
