// The roster `tp7 grade` reads: who to grade and where their machine is. A CSV (one header line, one student a
// line) or a YAML list. Every problem is reported at once, `line N: field: message` (CSV) or `path: message`
// (YAML), so an instructor fixes the file in one go.
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { yaml } from '../yaml.js';
import { UsageError } from '../errors.js';
import { both, type LocalizedText } from '../lab/lang.js';
import { explain, formatPath } from '../lab/problems.js';
import type { Target } from '../target/types.js';
import { decodeText, parseCsv } from './csv.js';

/** One student to grade: a name and the machine the work is on. */
export interface RosterEntry extends Target {
  student: string;
}

const YES = ['1', 'true', 'yes', 'oui', 'y', 'o'];
const NO = ['0', 'false', 'no', 'non', 'n', ''];

/** A yes/no cell: YAML gives a boolean, CSV a word. */
const Flag = z.union([z.boolean(), z.string().trim().toLowerCase().refine((word) => YES.includes(word) || NO.includes(word), { message: 'yes or no' }).transform((word) => YES.includes(word))]);

/** The fields of one student, by their snake_case names (a YAML file may write them in camelCase). */
const EntrySchema = z.object({
  student: z.string().trim().min(1),
  engine: z.string().trim().min(1),
  workdir: z.string().trim().min(1),
  registry: z.string().trim().min(1).optional(),
  tls_verify: Flag.optional(),
  cert_path: z.string().trim().min(1).optional(),
});
type EntryFields = z.infer<typeof EntrySchema>;
const FIELDS = Object.keys(EntrySchema.shape);

/** Fields the roster does not know (a typo would otherwise silently lose a setting). */
function unknownFields(keys: readonly string[]): LocalizedText | undefined {
  const unknown = keys.filter((key) => !FIELDS.includes(key));
  if (!unknown.length) return undefined;
  const list = unknown.map((key) => `"${key}"`).join(', ');
  return both(`champ(s) inconnu(s) ${list} : les champs sont ${FIELDS.join(', ')}`, `unknown field(s) ${list}: the fields are ${FIELDS.join(', ')}`);
}

/** `tlsVerify`, `TLS-Verify` and `tls_verify` are the same field; `docker_host` is another name for the engine. */
function fieldName(key: string): string {
  const snake = key.trim().replace(/([a-z])([A-Z])/g, '$1_$2').replace(/[-\s]+/g, '_').toLowerCase();
  return snake === 'docker_host' ? 'engine' : snake === 'name' ? 'student' : snake;
}

function normaliseKeys(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [fieldName(key), field]));
}

/** What is wrong with an engine address, or undefined: the forms DOCKER_HOST takes. */
function engineProblem(host: string): LocalizedText | undefined {
  const forms = 'unix:///chemin, tcp://hôte:port, ssh://utilisateur@hôte';
  const formsEn = 'unix:///path, tcp://host:port, ssh://user@host';
  const refused = both(`« ${host} » n'est pas une adresse de moteur ; formes acceptées : ${forms}`, `"${host}" is no engine address; accepted forms: ${formsEn}`);
  if (host.startsWith('unix://')) return isAbsolute(host.slice('unix://'.length)) ? undefined : refused;
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return refused;
  }
  if (!['tcp:', 'ssh:'].includes(url.protocol) || !url.hostname || (url.pathname && url.pathname !== '/')) return refused;
  return undefined;
}

/** host:port or host, as a registry address is written (localhost:5000, 10.0.0.5:5000, registry.lan). */
const REGISTRY_ADDRESS = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:]+\](:\d{1,5})?$/;

/** The problems of one entry's values, each with the field it is about. */
function valueProblems(fields: EntryFields): Array<{ field: string; text: LocalizedText }> {
  const problems: Array<{ field: string; text: LocalizedText }> = [];
  const engine = engineProblem(fields.engine);
  if (engine) problems.push({ field: 'engine', text: engine });
  if (!isAbsolute(fields.workdir)) {
    problems.push({ field: 'workdir', text: both(`« ${fields.workdir} » : un chemin absolu sur la machine de l'étudiant est attendu`, `"${fields.workdir}": an absolute path on the student's machine is expected`) });
  }
  if (fields.registry && !REGISTRY_ADDRESS.test(fields.registry)) {
    problems.push({ field: 'registry', text: both(`« ${fields.registry} » : une adresse hôte:port est attendue (localhost:5000)`, `"${fields.registry}": a host:port address is expected (localhost:5000)`) });
  }
  if ((fields.tls_verify || fields.cert_path) && !fields.engine.startsWith('tcp://')) {
    problems.push({ field: 'tls_verify', text: both('TLS ne sert qu’aux moteurs tcp://', 'TLS applies to tcp:// engines only') });
  }
  return problems;
}

/** One parsed entry; `base` is the roster's folder, where a relative cert_path starts. */
function toEntry(fields: EntryFields, base: string): RosterEntry {
  return {
    student: fields.student,
    engine: {
      host: fields.engine,
      ...(fields.tls_verify ? { tlsVerify: true } : {}),
      ...(fields.cert_path ? { certPath: resolve(base, fields.cert_path) } : {}),
    },
    workdir: fields.workdir,
    ...(fields.registry ? { registry: fields.registry } : {}),
  };
}

/** Where a problem is: `line 3: engine` in a CSV, `students[2].engine` in a YAML file. */
type Where = (index: number, path: readonly PropertyKey[]) => LocalizedText;

function validate(records: unknown[], where: Where, base: string): { entries: RosterEntry[]; problems: LocalizedText[] } {
  const problems: LocalizedText[] = [];
  const entries: RosterEntry[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, index) => {
    const fields = normaliseKeys(record);
    const unknown = fields && typeof fields === 'object' ? unknownFields(Object.keys(fields)) : undefined;
    if (unknown) {
      const at = where(index, []);
      problems.push(both(`${at.fr} : ${unknown.fr}`, `${at.en}: ${unknown.en}`));
    }
    const parsed = EntrySchema.safeParse(fields);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const at = where(index, issue.path);
        const text = explain(issue);
        problems.push(both(`${at.fr} : ${text.fr}`, `${at.en}: ${text.en}`));
      }
      return;
    }
    const found = valueProblems(parsed.data);
    for (const { field, text } of found) {
      const at = where(index, [field]);
      problems.push(both(`${at.fr} : ${text.fr}`, `${at.en}: ${text.en}`));
    }
    const name = parsed.data.student;
    const first = seen.get(name);
    if (first !== undefined) {
      const at = where(index, ['student']);
      const earlier = where(first, []);
      problems.push(both(`${at.fr} : « ${name} » figure déjà (${earlier.fr})`, `${at.en}: "${name}" is listed already (${earlier.en})`));
    } else seen.set(name, index);
    if (!found.length && !unknown) entries.push(toEntry(parsed.data, base));
  });
  if (!records.length) problems.push(both('aucun étudiant dans la liste', 'no student in the roster'));
  return { entries, problems };
}

/**
 * A CSV roster: the header names the fields (any order), cells apart by `,`, `;` or a tab (the header's);
 * `line N` counts the file's lines from 1.
 */
export function rosterFromCsv(text: string, base: string): { entries: RosterEntry[]; problems: LocalizedText[] } {
  const parsed = parseCsv(text);
  if ('problem' in parsed) return { entries: [], problems: [parsed.problem] };
  const { rows } = parsed;
  const header = rows.shift();
  if (!header) return { entries: [], problems: [both('fichier vide : une ligne d’en-tête student;engine;workdir est attendue', 'empty file: a header line student,engine,workdir is expected')] };
  const names = header.cells.map(fieldName);
  const problems: LocalizedText[] = [];
  const unknown = unknownFields(names);
  if (unknown) problems.push(both(`ligne ${header.line} : ${unknown.fr}`, `line ${header.line}: ${unknown.en}`));
  // A cell beyond the header, or under an unknown column (reported once above), is not a field of the student.
  const known = (column: number) => names[column] !== undefined && FIELDS.includes(names[column]!);
  const extra = rows.filter((row) => row.cells.length > names.length && row.cells.slice(names.length).some((cell) => cell.trim() !== ''));
  for (const row of extra) problems.push(both(`ligne ${row.line} : plus de cellules que de colonnes dans l’en-tête (${names.length})`, `line ${row.line}: more cells than header columns (${names.length})`));
  const records = rows.map((row) => Object.fromEntries(row.cells.flatMap((cell, column) => (cell.trim() === '' || !known(column) ? [] : [[names[column]!, cell]]))));
  const where: Where = (index, path) => {
    const line = rows[index]!.line;
    const field = path.length ? `${formatPath(path)}` : '';
    return both(`ligne ${line}${field ? ` : ${field}` : ''}`, `line ${line}${field ? `: ${field}` : ''}`);
  };
  const checked = validate(records, where, base);
  return { entries: checked.entries, problems: [...problems, ...checked.problems] };
}

/** A YAML roster: a list of students, or `students:` holding that list. */
export function rosterFromYaml(text: string, base: string): { entries: RosterEntry[]; problems: LocalizedText[] } {
  let document: unknown;
  try {
    document = yaml().parse(text);
  } catch (error) {
    const why = (error as Error).message.split('\n')[0]!;
    return { entries: [], problems: [both(`YAML illisible (« ${why} »)`, `not readable YAML ("${why}")`)] };
  }
  const wrapped = document && typeof document === 'object' && !Array.isArray(document) && 'students' in document;
  const list = wrapped ? (document as { students: unknown }).students : document;
  if (!Array.isArray(list)) {
    return { entries: [], problems: [both('une liste d’étudiants est attendue (ou « students: » et cette liste)', 'a list of students is expected (or "students:" holding that list)')] };
  }
  const where: Where = (index, path) => {
    const text = formatPath([...(wrapped ? ['students'] : []), index, ...path]);
    return both(text, text);
  };
  return validate(list, where, base);
}

/**
 * Reads and checks a roster file, in whatever encoding a spreadsheet saved it (src/grade/csv.ts); any problem is
 * a usage error listing them all (nobody is graded from half a list).
 */
export function readRoster(file: string): RosterEntry[] {
  let text: string;
  try {
    text = decodeText(readFileSync(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new UsageError(both(`liste d'étudiants ${file} illisible (${code})`, `cannot read the roster ${file} (${code})`));
  }
  const base = dirname(resolve(file));
  const yaml = ['.yaml', '.yml'].includes(extname(file).toLowerCase());
  const { entries, problems } = yaml ? rosterFromYaml(text, base) : rosterFromCsv(text, base);
  if (problems.length) {
    const count = problems.length;
    throw new UsageError(
      both(`liste d'étudiants ${file} invalide (${count} problème${count === 1 ? '' : 's'})`, `invalid roster ${file} (${count} problem${count === 1 ? '' : 's'})`),
      problems,
    );
  }
  return entries;
}
