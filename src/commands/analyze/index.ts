import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArchiveError, terminalProgress } from '../../archive/index.js';
import { analyseImageUncached } from '../../analysis/image.js';
import { CiConfigError, defaultRules, evaluateRules, parseCiRules, rulesPass, type CiRules } from '../../analysis/rules.js';
import type { CommandContext } from '../../cli/context.js';
import { connectEngine } from '../../engine/dockerode-client.js';
import { ExitCode, Tp7Error, UsageError } from '../../errors.js';
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
    throw new UsageError(`cannot read the CI rules ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return parseCiRules(text, typeof given === 'string' ? given : '.dive-ci.yml');
  } catch (error) {
    if (error instanceof CiConfigError) throw new UsageError(`invalid CI rules: ${error.message}`);
    throw error;
  }
}

export async function run(context: CommandContext): Promise<number> {
  const ref = context.args[0];
  if (!ref || context.args.length > 1) throw new UsageError('name one image, e.g. `tp7 analyze nginx:alpine`');
  const rules = loadRules(context);
  const engine = await connectEngine();
  const progress = terminalProgress(ref);
  let analysis;
  try {
    analysis = await analyseImageUncached(engine, ref, { onProgress: progress.onProgress });
  } catch (error) {
    if (error instanceof ArchiveError) throw new Tp7Error(`the engine's \`docker save\` of ${ref} could not be read: ${error.message}`, ExitCode.internal);
    throw error;
  } finally {
    progress.done();
  }
  if (!analysis) throw new UsageError(`no image "${ref}" on the engine at ${engine.host}: pull or build it first`);
  const results = evaluateRules(rules, analysis);
  const pass = rulesPass(results);
  const report = buildAnalysisReport(analysis, rules, results, pass, context.lang);
  if (context.json) printJson(context, report);
  else context.out(renderAnalysis(report, context.lang));
  return pass ? ExitCode.ok : ExitCode.checkFailed;
}
