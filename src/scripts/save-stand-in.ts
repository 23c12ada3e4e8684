// What `docker save` writes in a recorded run: not the image (megabytes per image, and the engine asked for
// nothing that changes state), but a short stand-in naming the images saved. Where that text ends up after the
// run (which file, compressed or not) tells where the script put each save.
import { gunzipSync } from 'node:zlib';

/** The first words of a stand-in (the shell shim writes the same text: shell-shim.ts). */
export const STAND_IN_HEADER = 'tp7 recorded docker save:';
const HEADER = STAND_IN_HEADER;

/** The stand-in archive of `docker save REFS...`. */
export function saveStandIn(refs: readonly string[]): string {
  return `${HEADER} ${refs.join(' ')}\n`;
}

export type Packing = 'gzip' | 'bzip2' | 'xz' | 'none';

/** How a file is packed, from its first bytes. */
export function packingOf(content: Buffer): Packing {
  if (content[0] === 0x1f && content[1] === 0x8b) return 'gzip';
  if (content.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (content.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  return 'none';
}

/** The images whose stand-in a file holds, as written or gzip-compressed; none when it holds no stand-in. */
export function savedIn(content: Buffer): string[] {
  let text: string;
  try {
    text = (packingOf(content) === 'gzip' ? gunzipSync(content) : content).toString('utf8');
  } catch {
    return []; // a truncated gzip stream: nothing readable was saved there
  }
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${HEADER} `))
    .flatMap((line) => line.slice(HEADER.length + 1).split(' ').filter(Boolean));
}
