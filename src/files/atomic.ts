import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';

// A file replaced whole: the text goes to a temporary file beside it (same folder, so the rename stays on one
// file system), is flushed to disk, then renamed over the old one. A reader, or a crash, sees the old or the new
// content, never half of it. Temporary names end in `.tmp`, so a reader of `*.json` never picks one up.

function tempName(file: string): string {
  return `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/** Writes `text` to `file` atomically (blocking: for commands, not for a server). */
export function writeAtomically(file: string, text: string, mode = 0o644): void {
  const temp = tempName(file);
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/** The same without blocking the event loop (`tp7 serve` writes a report per submission). */
export async function writeAtomicallyAsync(file: string, text: string, mode = 0o644): Promise<void> {
  const temp = tempName(file);
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(text);
    await handle.datasync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, file);
}
