// Which build step made which layer. An image config's history has one entry per Dockerfile step, layers only
// for the steps that touched the filesystem: entries flagged empty_layer (ENV, CMD, EXPOSE...) have none. Layers
// and the remaining entries are then paired in order, as dive and `docker history` do.

export interface HistoryStep {
  createdBy: string;
  comment?: string;
  created?: string;
}

const INSTRUCTIONS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN',
  'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
] as const;
const KEYWORD = new RegExp(`^(${INSTRUCTIONS.join('|')})\\b`);

interface RawHistory {
  created_by?: unknown;
  comment?: unknown;
  created?: unknown;
  empty_layer?: unknown;
}

/** One step per layer, bottom first; a layer without a matching history entry gets undefined. */
export function stepsForLayers(history: readonly unknown[] | undefined, layerCount: number): Array<HistoryStep | undefined> {
  const withLayer = (history ?? [])
    .filter((entry): entry is RawHistory => typeof entry === 'object' && entry !== null)
    .filter((entry) => entry.empty_layer !== true)
    .map((entry): HistoryStep => ({
      createdBy: typeof entry.created_by === 'string' ? entry.created_by : '',
      ...(typeof entry.comment === 'string' && entry.comment ? { comment: entry.comment } : {}),
      ...(typeof entry.created === 'string' ? { created: entry.created } : {}),
    }));
  return Array.from({ length: layerCount }, (_, index) => withLayer[index]);
}

/**
 * The Dockerfile keyword of a step, from its CreatedBy text:
 * - legacy builder: `/bin/sh -c #(nop) COPY file:… in /` (metadata and copies) or `/bin/sh -c apk add …` (RUN),
 *   `|2 A=1 B=2 /bin/sh -c make` (RUN with build arguments);
 * - BuildKit: `RUN /bin/sh -c apk add … # buildkit`, `COPY docker-entrypoint.sh / # buildkit`;
 * - `docker import` leaves it empty: that layer is IMPORT.
 * Anything else (a `docker commit` records the container's command) has no keyword: undefined.
 */
export function instructionOf(createdBy: string): string | undefined {
  const text = createdBy.trim();
  if (!text) return 'IMPORT';
  const nop = /#\(nop\)\s+([A-Z]+)\b/.exec(text);
  if (nop) return nop[1];
  const keyword = KEYWORD.exec(text);
  if (keyword) return keyword[1];
  if (/^(\|\d+ .*?)?\/bin\/(ba)?sh -c /.test(text) || /^cmd \/S \/C /i.test(text)) return 'RUN';
  return undefined;
}

/** A short, single-line rendering of a step for a table: without the shell prefix and `# buildkit` suffix. */
export function shortStep(createdBy: string, width = 60): string {
  const text = createdBy
    .replace(/^\/bin\/sh -c #\(nop\)\s+/, '')
    .replace(/^\/bin\/sh -c /, 'RUN ')
    // BuildKit writes the instruction itself: `RUN /bin/sh -c echo hi` (with `|1 A=b` before the shell for build args).
    .replace(/^RUN (\|\d+ (\S+=\S*\s+)*)?\/bin\/(ba)?sh -c /, 'RUN ')
    .replace(/\s+# buildkit$/, '')
    .replace(/\b(file|dir|multi):([0-9a-f]{8})[0-9a-f]{56}\b/g, '$1:$2…')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
