import type { CommandContext } from '../../cli/context.js';
import { ExitCode, oneLine, UsageError } from '../../errors.js';
import { loadLab } from '../../lab/loader.js';
import { both, pick } from '../../lab/text.js';
import { buildReport } from '../../report/json.js';
import { renderText } from '../../report/text.js';
import { runExercise } from '../../runner/run.js';
import { allPassed, scoreSkills, strictResults } from '../../runner/score.js';
import { boardToSubmitTo, submitToBoard } from '../submitting.js';
import { connectClients, printJson, readProgress, requireExercise, writeProgress } from '../shared.js';
import { isolationNotes } from '../../scripts/recorded-run.js';

export async function run(context: CommandContext): Promise<number> {
  const lab = await loadLab();
  const chosen = context.args.length ? context.args.map((id) => requireExercise(lab, id)) : lab.exercises;
  const progress = readProgress(context);
  // Which board, settled before any check runs: a student not joined yet is asked (or told) now, not after.
  const board = await boardToSubmitTo(context);
  const clients = await connectClients(context);
  const showProgress = !context.json && Boolean(process.stderr.isTTY);
  const total = chosen.reduce((sum, { exercise }) => sum + exercise.checks.length + exercise.questions.length, 0);
  let done = 0;
  const word = context.lang === 'fr' ? 'Vérification' : 'Checking';
  const progressLine = () => process.stderr.write(`\u001b[2K\r${word} ${done}/${total} · ${clients.engine.host}`);
  if (showProgress) progressLine();
  const strict = Boolean(context.options.strict);
  const options = {
    lang: context.lang,
    reveal: Boolean(context.options.reveal),
    onCheckDone: showProgress ? () => (done++, progressLine()) : undefined,
    // A re-check with nothing changed does not run the student's scripts again; a grader's --strict run does.
    reuseStored: !strict,
  };
  const run = await Promise.all(chosen.map(({ exercise }) => runExercise(exercise, clients, progress, options)));
  const results = strict ? strictResults(run, context.lang) : run;
  if (showProgress) process.stderr.write('\u001b[2K\r');
  const student = board?.name ?? (typeof context.options.student === 'string' ? context.options.student : undefined);
  const report = buildReport(clients.engine.host, await clients.engine.version(), results, scoreSkills(lab.skills, results, context.lang), student, { strict, notes: isolationNotes(context.lang) });
  if (context.json) printJson(context, report);
  else context.out(renderText(report, context.lang, { reveal: options.reveal }));
  // The report is out first: a progress or JUnit file that cannot be written never costs the grader the result.
  try {
    writeProgress(context, (stored) => {
      for (const result of results) stored.runs.push({ at: report.generatedAt, exercise: result.id, earned: result.earned, possible: result.possible });
    });
  } catch (error) {
    const why = oneLine(error);
    context.err(`tp7: ${pick(both(`l'historique des vérifications n'a pas été enregistré : ${why}`, `the check history was not saved: ${why}`), context.lang)}`);
  }
  if (board) await submitToBoard(context, board, report, lab, clients.engine);
  if (typeof context.options.junit === 'string') {
    const { writeJunit } = await import('../../report/junit.js');
    try {
      writeJunit(String(context.options.junit), report);
    } catch (error) {
      const file = context.options.junit;
      const why = (error as NodeJS.ErrnoException).code ?? oneLine(error);
      throw new UsageError(both(`impossible d'écrire le rapport JUnit dans ${file} (${why})`, `cannot write the JUnit report to ${file} (${why})`));
    }
  }
  return allPassed(results) ? ExitCode.ok : ExitCode.checkFailed;
}
