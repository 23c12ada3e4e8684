import { instructionOf, shortStep } from '../analysis/history.js';
import type { HistoryEntry, ImageInspect } from '../engine/types.js';

// How an image was made, read from its history (GET /images/{name}/history, newest step first).
// Measured on Docker 20.10: every step of the legacy builder is written as `/bin/sh -c <RUN command>` or
// `/bin/sh -c #(nop) <INSTRUCTION>`, with build arguments as a `|N KEY=value ...` prefix; `docker commit`
// writes the committed container's command as it is (`nginx -g daemon off;`) and its `-m` message as the
// comment (empty without -m). BuildKit writes the instruction itself (`RUN /bin/sh -c ...`,
// `COPY ... # buildkit`) with the comment `buildkit.dockerfile.v0`. src/analysis/history.ts reads the keyword.

export type StepKind = 'build' | 'commit';

/** A step written by a builder (legacy or BuildKit) has a Dockerfile keyword; a commit's container command has none. */
export function stepKind(step: HistoryEntry): StepKind {
  if (step.Comment?.startsWith('buildkit.dockerfile')) return 'build';
  const instruction = instructionOf(step.CreatedBy ?? '');
  return instruction && instruction !== 'IMPORT' ? 'build' : 'commit';
}

/**
 * The steps an image adds on top of `base`: its history minus the base's history, which it must end with.
 * Null when the image is not built on that base.
 */
export function ownSteps(image: HistoryEntry[], base: HistoryEntry[]): HistoryEntry[] | null {
  const extra = image.length - base.length;
  if (extra < 0) return null;
  // Step IDs differ (`<missing>` or not) between two images' views of one base: compare what the step did.
  const same = (a: HistoryEntry, b: HistoryEntry) => a.CreatedBy === b.CreatedBy && a.Created === b.Created && a.Size === b.Size;
  return base.every((step, i) => same(step, image[extra + i]!)) ? image.slice(0, extra) : null;
}

/**
 * The image name a committed container was started from, when the image's config shows one. `docker commit`
 * copies the container's config, whose Image is what the student typed (`nginx:alpine`); a legacy build puts
 * the parent's ID there and BuildKit nothing. It tells a commit of `sh -c ...` apart from a RUN step.
 */
export function committedFrom(image: ImageInspect): string | undefined {
  const source = image.Config?.Image ?? '';
  return source && !/^(sha256:)?[0-9a-f]{12,64}$/i.test(source) ? source : undefined;
}

/** A step as a student recognises it from `docker history`, on one short line. */
export function describeStep(step: HistoryEntry): string {
  return shortStep(step.CreatedBy ?? '') || '(no command)';
}
