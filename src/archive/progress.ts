// One status line on a terminal's stderr for the archives being read (checks run concurrently, so every read in
// flight shares the line). Nothing is printed when stderr is not a terminal: reports and pipes stay clean.
import { showControlsInline } from '../ui/escape.js';

interface Active {
  label: string;
  read: number;
  total?: number;
}

const RENDER_EVERY_MS = 100;
const active = new Map<number, Active>();
let nextId = 0;
let lastRender = 0;

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0)} MB`;
}

function render(out: NodeJS.WriteStream, force = false): void {
  const now = Date.now();
  if (!force && now - lastRender < RENDER_EVERY_MS) return;
  lastRender = now;
  const parts = [...active.values()].map(({ label, read, total }) =>
    total ? `${label} ${Math.min(100, Math.floor((100 * read) / total))} %` : `${label} ${megabytes(read)}`,
  );
  const line = parts.length ? `… ${parts.join(' · ')}` : '';
  out.write(`\u001b[2K\r${line.slice(0, Math.max(10, (out.columns ?? 80) - 1))}`);
}

/**
 * Progress for one archive read: pass `onProgress` to readArchive, call `done` when it ends (in a finally).
 * Without a terminal on stderr both do nothing.
 */
export function terminalProgress(label: string, totalBytes?: number, out: NodeJS.WriteStream = process.stderr): { onProgress: (bytesRead: number) => void; done: () => void } {
  if (!out.isTTY) return { onProgress: () => undefined, done: () => undefined };
  const id = nextId++;
  active.set(id, { label: showControlsInline(label), read: 0, total: totalBytes });
  return {
    onProgress(bytesRead) {
      const entry = active.get(id);
      if (!entry) return;
      entry.read = bytesRead;
      render(out);
    },
    done() {
      if (!active.delete(id)) return;
      render(out, true);
    },
  };
}
