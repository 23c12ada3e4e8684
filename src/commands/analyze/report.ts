// The analysis as one JSON document (`tp7 analyze --json`) and as text: layers with their step, what each
// adds, changes and removes, dive's figures, the paths met in several layers, and the CI rules' verdict.
import { shortId } from '../../engine/attributes.js';
import { humanBytes, percent } from '../../analysis/bytes.js';
import { shortStep } from '../../analysis/history.js';
import type { ImageAnalysis } from '../../analysis/image.js';
import type { CiRules, RuleResult } from '../../analysis/rules.js';
import { pick, type Lang } from '../../lab/text.js';
import { showControlsInline as shown } from '../../ui/escape.js';
import { style } from '../../ui/style.js';

export interface AnalysisReport {
  image: string;
  id: string;
  platform: string;
  size: number;
  userSize: number;
  efficiency: number;
  wastedBytes: number;
  /** null when bytes are wasted with no user layer at all (dive's +Inf). */
  userWastedPercent: number | null;
  layers: Array<{
    index: number;
    diffId?: string;
    size: number;
    instruction: string | null;
    createdBy: string;
    comment?: string;
    added: { count: number; bytes: number };
    changed: { count: number; bytes: number };
    removed: { count: number; bytes: number };
  }>;
  wastedPaths: ImageAnalysis['wastedPaths'];
  /** Not dive's: bytes of the final filesystem, and bytes the layers store that it does not hold (deleted or replaced). */
  finalSize: number;
  hiddenBytes: number;
  hiddenPaths: ImageAnalysis['hiddenPaths'];
  rules: { source: string; form: CiRules['form']; notes: string[]; results: Array<Omit<RuleResult, 'message' | 'actual'> & { actual: number | null; message: string }> };
  pass: boolean;
  durationMs: number;
}

const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);

export function buildAnalysisReport(analysis: ImageAnalysis, rules: CiRules, results: RuleResult[], pass: boolean, lang: Lang): AnalysisReport {
  return {
    image: analysis.ref,
    id: analysis.id,
    platform: [analysis.os, analysis.architecture].filter(Boolean).join('/'),
    size: analysis.imageSize,
    userSize: analysis.userSize,
    efficiency: analysis.efficiency,
    wastedBytes: analysis.wastedBytes,
    userWastedPercent: finite(analysis.userWastedPercent),
    layers: analysis.layers.map((layer, position) => {
      const step = analysis.steps[position];
      return {
        index: layer.index,
        ...(layer.diffId ? { diffId: layer.diffId } : {}),
        size: layer.size,
        instruction: step?.instruction ?? null,
        createdBy: step?.createdBy ?? '',
        ...(step?.comment ? { comment: step.comment } : {}),
        ...layer.changes,
      };
    }),
    wastedPaths: analysis.wastedPaths,
    finalSize: analysis.finalSize,
    hiddenBytes: analysis.hiddenBytes,
    hiddenPaths: analysis.hiddenPaths,
    rules: {
      source: rules.source,
      form: rules.form,
      notes: rules.notes.map((note) => pick(note, lang)),
      results: results.map((result) => ({ ...result, actual: finite(result.actual), message: pick(result.message, lang) })),
    },
    pass,
    durationMs: analysis.durationMs,
  };
}

const WORDS = {
  fr: {
    layers: 'Couches', added: 'ajoutés', changed: 'modifiés', removed: 'supprimés',
    colon: ' :', image: "Taille de l'image", user: 'ajoutés par ses couches', efficiency: 'Efficacité', wasted: 'Octets gaspillés',
    userWasted: 'Gaspillage / octets ajoutés', inefficient: 'Chemins présents dans plusieurs couches', none: 'aucun',
    count: 'couches', rules: 'Règles', defaults: 'valeurs par défaut de dive', result: 'Résultat', imported: '(importée)',
    missing: '(absente de l’historique)', more: (n: number) => `… et ${n} autre(s)`,
    hidden: 'Octets cachés (hors dive)', hiddenWhat: 'stockés dans les couches mais absents du système de fichiers final',
    hiddenWhy: 'dive ne compte pas le contenu d’un dossier supprimé par une couche suivante ; ce chiffre, si.',
    hiddenBy: (layer: number) => `caché par la couche ${layer}`,
  },
  en: {
    layers: 'Layers', added: 'added', changed: 'changed', removed: 'removed',
    colon: ':', image: 'Image size', user: 'added by its layers', efficiency: 'Efficiency', wasted: 'Wasted bytes',
    userWasted: 'Wasted / added bytes', inefficient: 'Paths found in several layers', none: 'none',
    count: 'layers', rules: 'Rules', defaults: "dive's defaults", result: 'Result', imported: '(imported)',
    missing: '(not in the history)', more: (n: number) => `… and ${n} more`,
    hidden: 'Hidden bytes (not dive)', hiddenWhat: 'stored in the layers but not in the final filesystem',
    hiddenWhy: 'dive does not count what a directory deleted by a later layer held; this figure does.',
    hiddenBy: (layer: number) => `hidden by layer ${layer}`,
  },
};

const MARK = { pass: () => style.green('PASS'), fail: () => style.red('FAIL'), warn: () => style.yellow('WARN'), disabled: () => style.dim('SKIP') };
const TOP_PATHS = 10;

function tally(count: number, bytes: number): string {
  return count ? `${count} (${humanBytes(bytes)})` : '0';
}

export function renderAnalysis(report: AnalysisReport, lang: Lang): string {
  const words = WORDS[lang];
  // Histories, comments, paths and platform come from the image: shown, never obeyed by the terminal.
  const lines = [style.bold(shown(`${report.image}  ${shortId(report.id)}  ${report.platform}`)), ''];
  lines.push(style.bold(`${words.layers} (${report.layers.length})`));
  for (const layer of report.layers) {
    const step = layer.instruction === 'IMPORT' ? `${words.imported} ${layer.comment ?? ''}`.trim() : layer.createdBy ? shortStep(layer.createdBy, 62) : words.missing;
    lines.push(`  ${String(layer.index + 1).padStart(2)}  ${humanBytes(layer.size).padStart(9)}  ${shown(step)}`);
    lines.push(style.dim(`               +${tally(layer.added.count, layer.added.bytes)} ${words.added}  ~${tally(layer.changed.count, layer.changed.bytes)} ${words.changed}  -${tally(layer.removed.count, layer.removed.bytes)} ${words.removed}`));
  }
  lines.push('');
  const c = words.colon;
  lines.push(`${words.image}${c} ${humanBytes(report.size)} (${humanBytes(report.userSize)} ${words.user})`);
  lines.push(`${words.efficiency}${c} ${percent(report.efficiency)}`);
  lines.push(`${words.wasted}${c} ${humanBytes(report.wastedBytes)}`);
  lines.push(`${words.userWasted}${c} ${report.userWastedPercent === null ? '∞' : percent(report.userWastedPercent)}`);
  lines.push(`${words.hidden}${c} ${humanBytes(report.hiddenBytes)} (${words.hiddenWhat})`);
  if (report.hiddenBytes > 0) {
    lines.push(style.dim(`  ${words.hiddenWhy}`));
    for (const path of report.hiddenPaths.slice(0, TOP_PATHS)) lines.push(`  ${humanBytes(path.bytes).padStart(9)}  ${path.path}  (${words.hiddenBy(path.hiddenBy + 1)})`);
    if (report.hiddenPaths.length > TOP_PATHS) lines.push(style.dim(`  ${words.more(report.hiddenPaths.length - TOP_PATHS)}`));
  }
  lines.push('');
  const wasted = report.wastedPaths.filter((path) => path.cumulativeSize > 0);
  lines.push(style.bold(`${words.inefficient}${c} ${wasted.length || words.none}`));
  for (const path of wasted.slice(0, TOP_PATHS)) lines.push(`  ${humanBytes(path.cumulativeSize).padStart(9)}  ${path.count} ${words.count}  ${shown(path.path)}`);
  if (wasted.length > TOP_PATHS) lines.push(style.dim(`  ${words.more(wasted.length - TOP_PATHS)}`));
  lines.push('');
  lines.push(style.bold(`${words.rules} (${report.rules.source === 'defaults' ? words.defaults : shown(report.rules.source)})`));
  for (const note of report.rules.notes) lines.push(style.yellow(`  ! ${shown(note)}`));
  for (const result of report.rules.results) lines.push(`  ${MARK[result.status]()} ${shown(`${result.key}: ${result.message}`)}`);
  lines.push(style.bold(`${words.result}${c} ${report.pass ? MARK.pass() : MARK.fail()}`));
  return lines.join('\n');
}
