import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArchiveError, terminalProgress } from '../../archive/index.js';
import { analyseImageUncached } from '../../analysis/image.js';
import { CiConfigError, defaultRules, evaluateRules, parseCiRules, rulesPass, type CiRules } from '../../analysis/rules.js';
import type { CommandContext } from '../../cli/context.js';
import { connectEngine } from '../../engine/dockerode-client.js';
import { ExitCode, Tp7Error, UsageError } from '../../errors.js';
import { both } from '../../lab/text.js';
import { printJson } from '../shared.js';
import { buildAnalysisReport, renderAnalysis } from './report.js';

/** `--ci-config FILE` (relative to the current directory), else `.dive-ci.yml` in the workdir, else dive's defaults. */
function loadRules(context: CommandContext): CiRules {
  const given = context.options['ci-config'];
  const path = typeof given === 'string' ? resolve(given) : join(context.workdir, '.dive-ci.yml');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (typeof given !== 'string' && (error as NodeJS.ErrnoException).code === 'ENOENT') return defaultRules();
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(both(`impossible de lire les règles de CI ${path} : ${why}`, `cannot read the CI rules ${path}: ${why}`));
  }
  try {
    return parseCiRules(text, typeof given === 'string' ? given : '.dive-ci.yml');
  } catch (error) {
    if (error instanceof CiConfigError) throw new UsageError(both(`règles de CI invalides : ${error.text.fr}`, `invalid CI rules: ${error.text.en}`));
    throw error;
  }
}

export async function run(context: CommandContext): Promise<number> {
  const ref = context.args[0];
  if (!ref || context.args.length > 1) throw new UsageError(both('nommez une image, par exemple `tp7 analyze nginx:alpine`', 'name one image, e.g. `tp7 analyze nginx:alpine`'));
  const rules = loadRules(context);
  const engine = await connectEngine();
  const progress = terminalProgress(ref);
  let analysis;
  try {
    analysis = await analyseImageUncached(engine, ref, { onProgress: progress.onProgress });
  } catch (error) {
    if (error instanceof ArchiveError) {
      throw new Tp7Error(both(
        `le \`docker save\` de ${ref} fourni par le moteur est illisible : ${error.text.fr}`,
        `the engine's \`docker save\` of ${ref} could not be read: ${error.text.en}`,
      ), ExitCode.internal);
    }
    throw error;
  } finally {
    progress.done();
  }
  if (!analysis) {
    throw new UsageError(both(`pas d'image « ${ref} » sur le moteur ${engine.host} : téléchargez-la ou construisez-la d'abord`, `no image "${ref}" on the engine at ${engine.host}: pull or build it first`));
  }
  const results = evaluateRules(rules, analysis);
  const pass = rulesPass(results);
  const report = buildAnalysisReport(analysis, rules, results, pass, context.lang);
  if (context.json) printJson(context, report);
  else context.out(renderAnalysis(report, context.lang));
  return pass ? ExitCode.ok : ExitCode.checkFailed;
}
