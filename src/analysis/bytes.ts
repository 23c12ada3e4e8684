// Sizes written the way dive's configuration accepts them (go-humanize's ParseBytes): "20MB" is 20 000 000 bytes,
// "20MiB" 20 971 520, "20M" is "20MB", a bare number is bytes; case and a space before the unit do not matter.

const POWERS: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/** Bytes, or undefined when the text is not a size. */
export function parseByteSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? Math.floor(text) : undefined;
  const match = /^([0-9][0-9.,]*)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]!.replace(/,/g, ''));
  const unit = /^([kmgtpe]?)(i?)(b?)$/.exec(match[2]!.toLowerCase());
  // "b" alone is bytes; "ib" is not a unit.
  if (Number.isNaN(amount) || !unit || (unit[1] === '' && unit[2] === 'i')) return undefined;
  const base = unit[2] === 'i' ? 1024 : 1000;
  return Math.floor(amount * base ** POWERS[unit[1]!]!);
}

/** 23456789 → "23.5 MB": decimal units with three significant digits, as `docker images` shows sizes. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/**
 * 0.98765 → "98.7 %": rounded down, so a figure shown next to a threshold never reads as reaching it when it
 * does not (0.9496 is "94.9 %", not "95 %"). Just under 1, more digits (0.99988 → "99.988 %").
 */
export function percent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '∞';
  const digits = ratio >= 0.999 && ratio < 1 ? 4 : 1;
  const scale = 10 ** digits;
  // The epsilon keeps 0.95 at "95 %" despite 0.95 × 1000 = 949.999... in floating point.
  return `${Math.floor(ratio * 100 * scale + 1e-6) / scale} %`;
}
