import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileAccess } from '../files/types.js';
import { ledgerPath, type Ledger } from './resources.js';

/** Writes what setup left in the workdir, replaced whole (written aside, then renamed over). */
export function writeLedger(workdir: string, ledger: Ledger): void {
  const file = join(workdir, ledgerPath(ledger.exercise));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(ledger, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The ledger setup wrote, or undefined (never set up, or unreadable: then only the engine's state counts). */
export async function readLedger(files: FileAccess, exerciseId: string): Promise<Ledger | undefined> {
  try {
    const ledger = JSON.parse(await files.readText(ledgerPath(exerciseId))) as Ledger;
    return Array.isArray(ledger?.dangling) ? ledger : undefined;
  } catch {
    return undefined;
  }
}

export function removeLedger(workdir: string, exerciseId: string): void {
  rmSync(join(workdir, ledgerPath(exerciseId)), { force: true });
}
