import { basename, dirname, join } from 'node:path';
import type { FileAccess } from '../files/types.js';

/** A real calendar day written YYYYMMDD, as `date +%Y%m%d` prints it (20261128; 20260231 is none). */
export function isDayStamp(text: string): boolean {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [+match[1]!, +match[2]! - 1, +match[3]!];
  const time = new Date(Date.UTC(year, month, day));
  return time.getUTCFullYear() === year && time.getUTCMonth() === month && time.getUTCDate() === day;
}

/** The newest YYYYMMDD stamp among tags, or undefined. */
export function newestDayStamp(stamps: string[]): string | undefined {
  return stamps.filter(isDayStamp).sort().at(-1);
}

/** The placeholder a lab writes in a path for the day a script stamped on it (`date +%Y%m%d`). */
export const DATE_PLACEHOLDER = '{date}';

/**
 * `backups/myapp-1.0.0-{date}.tar.gz` → the newest file of the folder that fits, with a real day in place of
 * {date}; undefined when none does. The folder is the workdir's (FileAccess keeps it there).
 */
export async function newestDatedFile(files: FileAccess, pattern: string): Promise<string | undefined> {
  const [before, after] = basename(pattern).split(DATE_PLACEHOLDER) as [string, string];
  const names = (await files.list(dirname(pattern))).filter((entry) => entry.isFile).map((entry) => basename(entry.path));
  const stamps = names.filter((name) => name.startsWith(before) && name.endsWith(after) && name.length === before.length + 8 + after.length).map((name) => name.slice(before.length, before.length + 8));
  const newest = newestDayStamp(stamps);
  return newest === undefined ? undefined : join(dirname(pattern), `${before}${newest}${after}`);
}
