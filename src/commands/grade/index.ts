import { existsSync } from 'node:fs';
import type { CommandContext } from '../../cli/context.js';
import { ExitCode, oneLine, UsageError } from '../../errors.js';
import { loadLab } from '../../lab/loader.js';
import { both, pick, type Lang, type Localized } from '../../lab/text.js';
import { settings } from '../../settings.js';
import { openTarget } from '../../target/open.js';
import { showControlsInline as shown } from '../../ui/escape.js';
import { compareWithSubmitted, type Disagreement } from '../../grade/compare.js';
import { gradeRoster, type GradeRow } from '../../grade/grade.js';
import { readRoster } from '../../grade/roster.js';
import { delimiterOption } from '../../report/delimiter.js';
import { gradeDocument, renderDisagreements, renderGradeCsv, renderGradeJunit, renderMarkdown, renderTable } from '../../grade/render.js';
import { writeReportFile } from '../../report/junit.js';
import type { Report } from '../../report/json.js';
import { readReport, reportFiles } from '../class/index.js';
import { printJson, requireExercise } from '../shared.js';

/** Students graded at once unless --jobs says otherwise: enough to overlap slow machines, few enough for 2 cores. */
const DEFAULT_JOBS = 4;
const MAX_JOBS = 64;

function jobsOption(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_JOBS;
  const text = String(value);
  const jobs = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(jobs >= 1 && jobs <= MAX_JOBS)) throw new UsageError(both(`--jobs attend un nombre entier de 1 à ${MAX_JOBS}, pas « ${text} »`, `--jobs takes a whole number from 1 to ${MAX_JOBS}, not "${text}"`));
  return jobs;
}

/** The reports handed in (a folder of tp7-report/1 files, or files), read before any grading: a typo fails fast. */
function submittedReports(context: CommandContext, path: string): Array<{ student: string; report: Report }> {
  if (!existsSync(path)) throw new UsageError(both(`--compare : ${path} introuvable (un dossier de rapports tp7-report/1 est attendu)`, `--compare: ${path} not found (a folder of tp7-report/1 reports is expected)`));
  const { files } = reportFiles([path]);
  const reports: Array<{ student: string; report: Report }> = [];
  for (const file of files) {
    const read = readReport(file);
    if ('fr' in read) context.err(`tp7: ${pick(read as Localized, context.lang)}`);
    else reports.push(read);
  }
  return reports;
}

/** One line per student as its row is ready, on a terminal only (a pipe or a log gets the result alone). */
function progressLine(lang: Lang): (row: GradeRow, done: number, total: number) => string {
  return (row, done, total) => {
    const seconds = (row.durationMs / 1000).toFixed(1);
    const name = shown(row.student);
    if (row.status === 'error') return `[${done}/${total}] ${name} · ${pick(both('non noté', 'not graded'), lang)} · ${shown(pick(row.error, lang))}`;
    return `[${done}/${total}] ${name} · ${row.report.score.percent} % · ${seconds.replace('.', lang === 'fr' ? ',' : '.')} s`;
  };
}

function writeOutput(file: string, text: string): void {
  try {
    writeReportFile(file, text);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? oneLine(error);
    throw new UsageError(both(`impossible d'écrire ${file} (${why})`, `cannot write ${file} (${why})`));
  }
}

/** `tp7 grade ROSTER [EX...]`: every student's machine checked, authoritatively, into one gradebook. */
export async function run(context: CommandContext): Promise<number> {
  const [rosterFile, ...exerciseArgs] = context.args;
  if (context.json && context.options.csv) throw new UsageError(both('--json et --csv ne vont pas ensemble : choisissez une sortie', '--json and --csv do not go together: pick one output'));
  const jobs = jobsOption(context.options.jobs);
  const delimiter = delimiterOption(context.options.delimiter, Boolean(context.options.csv), context.lang);
  const lab = await loadLab();
  const exercises = exerciseArgs.length ? exerciseArgs.map((id) => requireExercise(lab, id).exercise) : lab.exercises.map(({ exercise }) => exercise);
  const roster = readRoster(rosterFile!);
  const compare = typeof context.options.compare === 'string' ? submittedReports(context, context.options.compare) : undefined;

  const line = progressLine(context.lang);
  const rows = await gradeRoster(roster, {
    exercises,
    skills: lab.skills,
    lang: context.lang,
    strict: Boolean(context.options.strict),
    jobs,
    timeoutMs: settings().TP7_GRADE_TIMEOUT_MS,
    open: openTarget,
    onRow: process.stderr.isTTY ? (row, done, total) => context.err(line(row, done, total)) : undefined,
  });
  const generatedAt = new Date().toISOString();
  const disagreements: Disagreement[] | undefined = compare ? compareWithSubmitted(rows, compare) : undefined;

  if (context.json) printJson(context, gradeDocument(rows, context.lang, generatedAt, disagreements));
  else if (context.options.csv) {
    context.out(renderGradeCsv(rows, context.lang, generatedAt, delimiter).trimEnd());
    // The CSV stays a gradebook; what --compare found goes beside it, on stderr.
    if (disagreements) context.err(renderDisagreements(disagreements, context.lang));
  } else {
    context.out(renderTable(rows, context.lang));
    if (disagreements) context.out(`\n${renderDisagreements(disagreements, context.lang)}`);
  }
  // The result is out first: a file that cannot be written never costs the grader the run.
  if (typeof context.options.junit === 'string') writeOutput(context.options.junit, renderGradeJunit(rows, context.lang, generatedAt));
  if (typeof context.options.markdown === 'string') writeOutput(context.options.markdown, renderMarkdown(rows, context.lang, generatedAt, disagreements));

  if (rows.some((row) => row.status === 'error')) return ExitCode.gradeIncomplete;
  return disagreements?.length ? ExitCode.checkFailed : ExitCode.ok;
}
