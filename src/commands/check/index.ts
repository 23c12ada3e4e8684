import type { CommandContext } from '../../cli/context.js';
import { ExitCode } from '../../errors.js';
import { loadLab } from '../../lab/loader.js';
import { buildReport } from '../../report/json.js';
import { renderText } from '../../report/text.js';
import { runExercise } from '../../runner/run.js';
import { allPassed, scoreSkills } from '../../runner/score.js';
import { connectClients, printJson, readProgress, requireExercise, writeProgress } from '../shared.js';

export async function run(context: CommandContext): Promise<number> {
  const lab = loadLab();
  const chosen = context.args.length ? context.args.map((id) => requireExercise(lab, id)) : lab.exercises;
  const progress = readProgress(context);
  const clients = await connectClients(context);
  const showProgress = !context.json && Boolean(process.stderr.isTTY);
  if (showProgress) process.stderr.write(`Vérification de ${chosen.length} exercice(s) sur ${clients.engine.host}…\r`);
  const options = { lang: context.lang, reveal: Boolean(context.options.reveal) };
  const results = await Promise.all(chosen.map(({ exercise }) => runExercise(exercise, clients, progress, options)));
  if (showProgress) process.stderr.write('\u001b[2K\r');
  const student = typeof context.options.student === 'string' ? context.options.student : undefined;
  const report = buildReport(clients.engine.host, await clients.engine.version(), results, scoreSkills(lab.skills, results, context.lang), student);
  writeProgress(context, (stored) => {
    for (const result of results) stored.runs.push({ at: report.generatedAt, exercise: result.id, earned: result.earned, possible: result.possible });
  });
  if (typeof context.options.junit === 'string') {
    const { writeJunit } = await import('../../report/junit.js');
    writeJunit(String(context.options.junit), report);
  }
  if (context.json) printJson(context, report);
  else context.out(renderText(report, context.lang));
  return allPassed(results) ? ExitCode.ok : ExitCode.checkFailed;
}
