import { z } from 'zod';
import { humanBytes, parseByteSize, percent } from '../analysis/bytes.js';
import { analyseImage, type ImageAnalysis } from '../analysis/image.js';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import type { HiddenPath, WastedPath } from '../analysis/types.js';
import { imageContentKey } from './image-file-kept.js';
import { outcome, type Outcome, type ProbeClients, type ProbeKind } from './types.js';

const Size = z
  .union([z.number().int().nonnegative(), z.string().refine((text) => parseByteSize(text) !== undefined, { error: 'a size such as 100MB' })])
  .describe('Bytes, or a size as dive reads it: 100MB, 20MiB');
const Ratio = z.number().min(0).max(1);

const schema = z
  .strictObject({
    kind: z.literal('image-efficiency'),
    ref: ImageRef.describe('The image analysed the way dive does'),
    minEfficiency: Ratio.optional().describe('Efficiency must be at least this (dive fails only strictly below)'),
    maxEfficiency: Ratio.optional().describe('Efficiency must be strictly below this: the image is meant to waste space'),
    maxSize: Size.optional().describe('Image size (sum of its layers, as dive counts it) must not exceed this'),
    maxWastedBytes: Size.optional().describe('Wasted bytes must not exceed this'),
    maxUserWastedPercent: z.number().min(0).optional().describe('Wasted bytes / bytes of the layers above the first must not exceed this ratio'),
    maxHiddenBytes: Size.optional().describe("Bytes stored in the layers but not in the final filesystem must not exceed this (catches what dive's efficiency misses: a directory deleted by a later layer)"),
    minHiddenBytes: Size.optional().describe('Bytes stored in the layers but not in the final filesystem must be at least this: the image is meant to carry deleted files'),
    contains: z.array(z.string().min(1)).default([]).describe('Paths the final filesystem of the image must hold'),
  })
  .refine((spec) => [spec.minEfficiency, spec.maxEfficiency, spec.maxSize, spec.maxWastedBytes, spec.maxUserWastedPercent, spec.maxHiddenBytes, spec.minHiddenBytes].some((value) => value !== undefined) || spec.contains.length > 0, {
    error: 'give at least one expectation: minEfficiency, maxEfficiency, maxSize, maxWastedBytes, maxUserWastedPercent, maxHiddenBytes, minHiddenBytes or contains',
  })
  .describe("An image's efficiency, waste and size as dive computes them (and paths it must still hold)");
type Spec = z.infer<typeof schema>;

function describe(spec: Spec): string {
  const parts: string[] = [];
  if (spec.minEfficiency !== undefined) parts.push(`efficiency >= ${percent(spec.minEfficiency)}`);
  if (spec.maxEfficiency !== undefined) parts.push(`efficiency < ${percent(spec.maxEfficiency)}`);
  if (spec.maxSize !== undefined) parts.push(`size <= ${humanBytes(parseByteSize(spec.maxSize)!)}`);
  if (spec.maxWastedBytes !== undefined) parts.push(`wasted <= ${humanBytes(parseByteSize(spec.maxWastedBytes)!)}`);
  if (spec.maxUserWastedPercent !== undefined) parts.push(`user wasted <= ${percent(spec.maxUserWastedPercent)}`);
  if (spec.maxHiddenBytes !== undefined) parts.push(`hidden <= ${humanBytes(parseByteSize(spec.maxHiddenBytes)!)}`);
  if (spec.minHiddenBytes !== undefined) parts.push(`hidden >= ${humanBytes(parseByteSize(spec.minHiddenBytes)!)}`);
  if (spec.contains.length) parts.push(`holds ${spec.contains.join(', ')}`);
  return `${spec.ref}: ${parts.join(', ')}`;
}

/**
 * What a verdict needs of dive's analysis: a few figures, plain data, so that given `stored` (a student's check)
 * they are kept by image ID for the next tp7 process instead of streaming the image's save again.
 */
interface Figures {
  efficiency: number;
  imageSize: number;
  wastedBytes: number;
  userWastedPercent: number;
  hiddenBytes: number;
  mostHidden?: HiddenPath;
  mostWasted?: WastedPath;
  /** The spec's `contains` paths the final filesystem lacks. */
  missing: string[];
}

function figuresOf(analysis: ImageAnalysis, contains: string[]): Figures {
  const { efficiency, imageSize, wastedBytes, userWastedPercent, hiddenBytes } = analysis;
  const mostHidden = analysis.hiddenPaths[0];
  const mostWasted = analysis.wastedPaths.find((path) => path.cumulativeSize > 0);
  return {
    efficiency, imageSize, wastedBytes, userWastedPercent, hiddenBytes,
    ...(mostHidden ? { mostHidden } : {}),
    ...(mostWasted ? { mostWasted } : {}),
    missing: contains.filter((path) => !analysis.has(path)),
  };
}

async function figures(spec: Spec, { engine, stored, signal }: ProbeClients): Promise<Figures | null> {
  const image = stored && (await engine.inspectImage(spec.ref));
  if (!stored || !image) {
    const analysis = await analyseImage(engine, spec.ref, { signal });
    return analysis && figuresOf(analysis, spec.contains);
  }
  return stored.get('dive-figures', JSON.stringify([imageContentKey(image), spec.contains]), async () => {
    const analysis = await analyseImage(engine, image.Id, { signal });
    return analysis && figuresOf(analysis, spec.contains);
  }, (kept) => kept !== null);
}

function summary(analysis: Figures): string {
  return `efficiency ${percent(analysis.efficiency)}, size ${humanBytes(analysis.imageSize)}, wasted ${humanBytes(analysis.wastedBytes)} (user wasted ${percent(analysis.userWastedPercent)}), hidden ${humanBytes(analysis.hiddenBytes)}`;
}

/** The biggest hidden path, as a pointer to the student's own step (never an answer). */
function mostHidden(analysis: Figures): { fr: string; en: string } {
  const top = analysis.mostHidden;
  if (!top) return both('', '');
  const size = humanBytes(top.bytes);
  return both(` ; le plus gros : ${top.path} (${size}, caché par la couche ${top.hiddenBy + 1})`, `; the biggest: ${top.path} (${size}, hidden by layer ${top.hiddenBy + 1})`);
}

/** The most wasted path, as a pointer to what to fix (the student's own files, never an answer). */
function worst(analysis: Figures): { fr: string; en: string } {
  const top = analysis.mostWasted;
  if (!top) return both('', '');
  const size = humanBytes(top.cumulativeSize);
  return both(` ; le plus gaspillé : ${top.path} (${size} sur ${top.count} couches)`, `; most wasted: ${top.path} (${size} over ${top.count} layers)`);
}

function problems(spec: Spec, analysis: Figures): Array<{ fr: string; en: string }> {
  const found: Array<{ fr: string; en: string }> = [];
  const { missing } = analysis;
  if (missing.length) {
    found.push(both(
      `il manque ${missing.join(', ')} : l'image doit toujours contenir ce que le Dockerfile produit`,
      `${missing.join(', ')} missing: the image must still hold what its Dockerfile produces`,
    ));
  }
  const efficiency = percent(analysis.efficiency);
  if (spec.minEfficiency !== undefined && spec.minEfficiency > analysis.efficiency) {
    const hint = worst(analysis);
    found.push(both(`efficacité ${efficiency}, sous le minimum de ${percent(spec.minEfficiency)}${hint.fr}`, `efficiency ${efficiency}, below the required ${percent(spec.minEfficiency)}${hint.en}`));
  }
  if (spec.maxEfficiency !== undefined && !(analysis.efficiency < spec.maxEfficiency)) {
    found.push(both(
      `efficacité ${efficiency} : cette image ne gaspille pas assez (attendu sous ${percent(spec.maxEfficiency)}) ; une couche doit ajouter un fichier qu'une couche suivante supprime ou réécrit`,
      `efficiency ${efficiency}: this image does not waste enough (expected below ${percent(spec.maxEfficiency)}); a layer must add a file that a later layer deletes or rewrites`,
    ));
  }
  const maxSize = spec.maxSize === undefined ? undefined : parseByteSize(spec.maxSize)!;
  if (maxSize !== undefined && analysis.imageSize > maxSize) {
    found.push(both(`taille ${humanBytes(analysis.imageSize)}, au-delà de ${humanBytes(maxSize)}`, `size ${humanBytes(analysis.imageSize)}, over ${humanBytes(maxSize)}`));
  }
  const maxWasted = spec.maxWastedBytes === undefined ? undefined : parseByteSize(spec.maxWastedBytes)!;
  if (maxWasted !== undefined && analysis.wastedBytes > maxWasted) {
    found.push(both(`${humanBytes(analysis.wastedBytes)} gaspillés, au-delà de ${humanBytes(maxWasted)}`, `${humanBytes(analysis.wastedBytes)} wasted, over ${humanBytes(maxWasted)}`));
  }
  if (spec.maxUserWastedPercent !== undefined && analysis.userWastedPercent > spec.maxUserWastedPercent) {
    found.push(both(
      `${percent(analysis.userWastedPercent)} des octets ajoutés gaspillés, au-delà de ${percent(spec.maxUserWastedPercent)}`,
      `${percent(analysis.userWastedPercent)} of the added bytes wasted, over ${percent(spec.maxUserWastedPercent)}`,
    ));
  }
  // Where dive's efficiency already fails, the hidden bytes are mostly the same copies: one message is enough.
  if (!(spec.minEfficiency !== undefined && spec.minEfficiency > analysis.efficiency)) found.push(...hiddenProblems(spec, analysis));
  return found;
}

function hiddenProblems(spec: Spec, analysis: Figures): Array<{ fr: string; en: string }> {
  const hidden = humanBytes(analysis.hiddenBytes);
  const maxHidden = spec.maxHiddenBytes === undefined ? undefined : parseByteSize(spec.maxHiddenBytes)!;
  if (maxHidden !== undefined && analysis.hiddenBytes > maxHidden) {
    const where = mostHidden(analysis);
    return [both(
      `ses couches stockent ${hidden} absents de son système de fichiers final (maximum ${humanBytes(maxHidden)}) : supprimés ou remplacés par une couche suivante, ils pèsent toujours, même quand dive ne les compte pas (contenu d'un dossier supprimé)${where.fr}`,
      `its layers store ${hidden} that its final filesystem does not hold (at most ${humanBytes(maxHidden)}): deleted or replaced by a later layer, they still weigh, even where dive does not count them (a deleted directory's content)${where.en}`,
    )];
  }
  const minHidden = spec.minHiddenBytes === undefined ? undefined : parseByteSize(spec.minHiddenBytes)!;
  if (minHidden !== undefined && analysis.hiddenBytes < minHidden) {
    return [both(
      `ses couches ne stockent que ${hidden} de fichiers supprimés ou remplacés (attendu au moins ${humanBytes(minHidden)}) : le fichier temporaire doit être écrit par une étape et supprimé par une autre`,
      `its layers store only ${hidden} of deleted or replaced files (expected at least ${humanBytes(minHidden)}): the temporary file must be written by one step and deleted by another`,
    )];
  }
  return [];
}

export const imageEfficiency: ProbeKind<Spec> = {
  kind: 'image-efficiency',
  schema,
  inputs: { images: ['ref'] },
  async run(spec, clients): Promise<Outcome> {
    const expected = describe(spec);
    const analysis = await figures(spec, clients);
    if (!analysis) {
      return outcome('fail', expected, `${spec.ref} absent`, both(`${spec.ref} est introuvable sur votre moteur Docker.`, `${spec.ref} is not on your Docker engine.`));
    }
    const actual = summary(analysis);
    const found = problems(spec, analysis);
    if (!found.length) return outcome('pass', expected, actual, both(`${spec.ref} : ${actual}.`, `${spec.ref}: ${actual}.`));
    return outcome('fail', expected, actual, both(`${spec.ref} : ${found.map((text) => text.fr).join(' ; ')}.`, `${spec.ref}: ${found.map((text) => text.en).join('; ')}.`));
  },
};
