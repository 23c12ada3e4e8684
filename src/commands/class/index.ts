import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CommandContext } from '../../cli/context.js';
import { ExitCode, Tp7Error, UsageError } from '../../errors.js';
import { both, pick, type Lang, type Localized } from '../../lab/text.js';
import { delimiterOption } from '../../report/delimiter.js';
import { gradebook, renderCsv, type GradebookRow } from '../../report/gradebook.js';
import type { Report } from '../../report/json.js';
import { GradebookReportShape } from '../../report/schema.js';
import { showControlsInline as shown } from '../../ui/escape.js';
import { MARKS, style } from '../../ui/style.js';
import { formatPath } from '../../lab/format-path.js';
import { printJson } from '../shared.js';

/** Report files named on the command line, or every *.json inside a named folder; `empty` lists the folders with none. */
export function reportFiles(paths: string[]): { files: string[]; empty: string[] } {
  const empty: string[] = [];
  const files = paths.flatMap((path) => {
    if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return [path];
    // `tp7 serve --data DIR` keeps its reports in DIR/reports: DIR itself is read as that folder.
    if (existsSync(join(path, 'class.json')) && statSync(join(path, 'reports'), { throwIfNoEntry: false })?.isDirectory()) path = join(path, 'reports');
    const inside = readdirSync(path).filter((name) => name.endsWith('.json')).sort().map((name) => join(path, name));
    if (!inside.length) empty.push(path);
    return inside;
  });
  return { files, empty };
}

const NO_REPORT = (folder: string) => both(
  `${folder} : aucun rapport dans ce dossier (fichiers de \`tp7 check --json\`, ou le dossier reports/ de \`tp7 serve\`)`,
  `${folder}: no report in this folder (files from \`tp7 check --json\`, or the reports/ folder of \`tp7 serve\`)`,
);

export function readReport(file: string): { student: string; report: Report } | Localized {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return both(`${file} : fichier introuvable`, `${file}: no such file`);
    if (code) return both(`${file} : illisible (${code})`, `${file}: cannot be read (${code})`);
    const detail = (error as Error).message.split('\n')[0];
    return both(`${file} : JSON illisible (« ${detail} »)`, `${file}: not readable JSON ("${detail}")`);
  }
  const parsed = GradebookReportShape.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = formatPath(issue.path);
    return both(
      `${file} : pas un rapport tp7 (${where} : « ${issue.message} ») ; faites-le avec tp7 check --json`,
      `${file}: not a tp7 report (${where}: "${issue.message}"); make it with tp7 check --json`,
    );
  }
  return { student: parsed.data.student ?? basename(file, '.json'), report: parsed.data as unknown as Report };
}

/** Every name and id comes from a file a student handed in: shown, never obeyed by the terminal. */
const HEADINGS = { student: both('étudiant', 'student'), score: both('score', 'score'), skills: both('compétences', 'skills') };

function renderTable(rows: GradebookRow[], lang: Lang): string {
  const heading = (key: keyof typeof HEADINGS) => pick(HEADINGS[key], lang);
  const exerciseIds = [...new Set(rows.flatMap((row) => Object.keys(row.exercises)))];
  const width = Math.max(heading('student').length, ...rows.map((row) => shown(row.student).length));
  const header = `${heading('student').padEnd(width)}  ${heading('score').padStart(6)}  ${exerciseIds.map((id) => shown(id).padEnd(7)).join(' ')}  ${heading('skills')}`;
  const lines = rows.map((row) => {
    const skills = Object.values(row.skills).map((status) => MARKS[status as keyof typeof MARKS]?.() ?? '?').join('');
    const cells = exerciseIds.map((id) => shown(row.exercises[id] ?? '-').padEnd(7)).join(' ');
    return `${shown(row.student).padEnd(width)}  ${`${row.percent}%`.padStart(6)}  ${cells}  ${skills}`;
  });
  return [style.bold(header), ...lines].join('\n');
}

/** `tp7 class`: many students' reports (tp7 check --json) seen at once, as a table, JSON or a gradebook CSV. */
export async function run(context: CommandContext): Promise<number> {
  const delimiter = delimiterOption(context.options.delimiter, Boolean(context.options.csv), context.lang);
  if (!context.args.length) {
    throw new UsageError(both(
      'nommez les fichiers de rapport ou un dossier qui les contient (faits par `tp7 check --json --student NOM`)',
      'name the report files or a folder of them (from `tp7 check --json --student NAME`)',
    ));
  }
  const { files, empty } = reportFiles(context.args);
  if (!files.length) throw new Tp7Error(NO_REPORT(empty.join(', ')), ExitCode.checkFailed);
  const problems: Localized[] = empty.map(NO_REPORT);
  const entries = files.flatMap((file) => {
    const read = readReport(file);
    if ('fr' in read) problems.push(read);
    return 'fr' in read ? [] : [read];
  });
  for (const problem of problems) context.err(`tp7: ${pick(problem, context.lang)}`);
  const rows = gradebook(entries);
  if (context.options.csv) context.out(renderCsv(rows, [], delimiter).trimEnd());
  else if (context.json) printJson(context, rows);
  else context.out(renderTable(rows, context.lang));
  return problems.length ? ExitCode.checkFailed : ExitCode.ok;
}
