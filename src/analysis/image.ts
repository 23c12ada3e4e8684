// An image on the engine, analysed the way dive does: `docker save` streamed from the Engine API
// (GET /images/{name}/get), every layer's file list read on the fly by the archive reader, nothing on disk.
import { readImageArchive, saveBound } from '../archive/index.js';
import { storedBytes } from '../engine/sizes.js';
import type { EngineClient } from '../engine/types.js';
import { instructionOf, stepsForLayers } from './history.js';
import { analyseLayers } from './layers.js';
import type { LayersAnalysis } from './types.js';

export interface LayerStep {
  /** Dockerfile keyword (RUN, COPY, ADD, IMPORT…), when the step tells it. */
  instruction?: string;
  /** The history's created_by, '' when the image has no history entry for this layer. */
  createdBy: string;
  comment?: string;
}

export interface ImageAnalysis extends LayersAnalysis {
  ref: string;
  /** The image ID (sha256 of its config). */
  id: string;
  architecture?: string;
  os?: string;
  /** One per layer, in layer order. */
  steps: LayerStep[];
  /** Bytes of the `docker save` stream read. */
  bytesRead: number;
  durationMs: number;
}

export interface AnalyseOptions {
  onProgress?: (bytesRead: number) => void;
  /** Stops the save's stream and its reading (a check's time limit). */
  signal?: AbortSignal;
}

export async function analyseImageUncached(engine: EngineClient, ref: string, options: AnalyseOptions = {}): Promise<ImageAnalysis | null> {
  const started = performance.now();
  const image = await engine.inspectImage(ref);
  const stream = image && (await engine.saveImage(ref));
  if (!image || !stream) return null;
  let bytesRead = 0;
  const archive = await readImageArchive(stream, {
    listEntries: true,
    // The engine's save of one image holds that image: an engine streaming on and on is not read forever.
    maxTarBytes: saveBound([storedBytes(image)]),
    signal: options.signal,
    onProgress: (bytes) => {
      bytesRead = bytes;
      options.onProgress?.(bytes);
    },
  });
  const analysis = analyseLayers(archive.layers);
  const steps = stepsForLayers(archive.config.history, archive.layers.length).map((step): LayerStep => ({
    createdBy: step?.createdBy ?? '',
    ...(step ? { instruction: instructionOf(step.createdBy) } : {}),
    ...(step?.comment ? { comment: step.comment } : {}),
  }));
  return {
    ...analysis,
    ref,
    // The engine's own ID: the config digest on the classic store, the manifest digest on the containerd store.
    id: image.Id,
    ...(archive.config.architecture ? { architecture: archive.config.architecture } : {}),
    ...(archive.config.os ? { os: archive.config.os } : {}),
    steps,
    bytesRead,
    durationMs: Math.round(performance.now() - started),
  };
}

// Checks of one run share their engine client: two checks on one image save and read it once.
const analyses = new WeakMap<EngineClient, Map<string, Promise<ImageAnalysis | null>>>();

export function analyseImage(engine: EngineClient, ref: string, options: AnalyseOptions = {}): Promise<ImageAnalysis | null> {
  let byRef = analyses.get(engine);
  if (!byRef) {
    byRef = new Map();
    analyses.set(engine, byRef);
  }
  let pending = byRef.get(ref);
  if (!pending) {
    pending = analyseImageUncached(engine, ref, options);
    byRef.set(ref, pending);
    // A failed read is not remembered: the next check may try again.
    pending.catch(() => byRef!.delete(ref));
  }
  return pending;
}
