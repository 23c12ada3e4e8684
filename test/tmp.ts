import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// Every temporary folder a test file makes lives under one root, removed when that file's tests end.
const root = mkdtempSync(join(tmpdir(), 'tp7-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

export function tempDir(prefix = 'dir-'): string {
  return mkdtempSync(join(root, prefix));
}
