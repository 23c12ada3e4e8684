import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ExitCode, Tp7Error } from '../errors.js';
import { writeAtomically, writeAtomicallyAsync } from '../files/atomic.js';
import { both, type LocalizedText } from '../lab/lang.js';
import { ReportSchema, type SubmittedReport } from '../report/schema.js';
import { displayName } from '../student-name.js';
import { showControlsInline as shown } from '../ui/escape.js';
import { nameKey, reportFileName, sha256 } from './names.js';
import { newClassCode, newSecret } from './secrets.js';

// What `tp7 serve --data DIR` keeps, so that a restart loses nothing and `tp7 class DIR/reports` reads it as it is:
//   class.json       the class code and the instructor key (0600), made once
//   tokens.json      per student: the sha256 of their token (never the token), when they joined, released or not
//   reports/<h>.json each student's current report, replaced atomically; <h> is a hash of the name, never the name
//   history.jsonl    one line appended per accepted submission

const ClassFile = z.looseObject({ code: z.string().min(4).max(32), key: z.string().min(32).max(128), createdAt: z.string() });
export type ClassSecrets = z.infer<typeof ClassFile>;

const TokenEntry = z.looseObject({
  name: z.string(),
  tokenSha256: z.string().regex(/^[0-9a-f]{64}$/),
  joinedAt: z.string(),
  released: z.boolean().default(false),
  /** The last report refused as older than the one accepted before it (the board flags it). */
  stale: z.looseObject({ generatedAt: z.string(), refusedAt: z.string(), previous: z.string() }).optional(),
});
const TokensFile = z.looseObject({ students: z.record(z.string(), TokenEntry) });

const HistoryLine = z.looseObject({ sequence: z.number(), receivedAt: z.string(), student: z.string() });

export interface StudentRecord {
  /** The comparison key of the name (src/serve/names.ts). */
  key: string;
  /** The name as the student joined (or as their last report spells it). */
  name: string;
  /** sha256 of the student's token (the token itself is never kept). */
  tokenSha256?: string;
  joinedAt?: string;
  released: boolean;
  stale?: { generatedAt: string; refusedAt: string; previous: string };
  report?: SubmittedReport;
  /** When the current report was accepted. */
  receivedAt?: string;
  /** The file the current report was read from at start, when an older board named it otherwise. */
  reportFile?: string;
  submissions: number;
}

/** A file of the data folder that cannot be read: said once at start, never overwritten. */
export interface StoreWarning {
  file: string;
  text: LocalizedText;
}

function namesMergedText(keptName: string, otherName: string): LocalizedText {
  const [kept, other] = [shown(keptName), shown(otherName)];
  return both(
    `« ${kept} » et « ${other} » se lisent désormais comme un seul nom : « ${kept} » le garde ; l'autre rejoint à nouveau sous un autre nom`,
    `"${kept}" and "${other}" now read as one name: "${kept}" keeps it; the other joins again under another name`,
  );
}

function unreadable(file: string, why: string): Tp7Error {
  return new Tp7Error(
    both(`${file} illisible (${why}) : réparez-le ou choisissez un autre dossier avec --data`, `${file} cannot be read (${why}): repair it or choose another folder with --data`),
    ExitCode.usage,
  );
}

function readJson<T>(file: string, schema: z.ZodType<T>): T | undefined {
  if (!existsSync(file)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw unreadable(file, (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]!);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw unreadable(file, parsed.error.issues[0]!.message);
  return parsed.data;
}

/** The class code and key, made on the first start and kept (mode 0600: the key opens the board). */
function classSecrets(dir: string): ClassSecrets {
  const file = join(dir, 'class.json');
  const known = readJson(file, ClassFile);
  if (known) {
    if (statSync(file).mode & 0o077) chmodSync(file, 0o600);
    return known;
  }
  const made = { code: newClassCode(), key: newSecret(), createdAt: new Date().toISOString() };
  writeAtomically(file, `${JSON.stringify(made, null, 2)}\n`, 0o600);
  return made;
}

export class ClassStore {
  readonly students = new Map<string, StudentRecord>();
  readonly warnings: StoreWarning[] = [];
  private readonly byToken = new Map<string, string>();
  private sequence = 0;
  private history?: FileHandle;
  /** Writes of one kind happen one after the other: a later state never lands before an earlier one. */
  private historyQueue: Promise<unknown> = Promise.resolve();
  private tokensQueue: Promise<unknown> = Promise.resolve();
  private readonly studentQueues = new Map<string, Promise<unknown>>();
  /** The history file does not end with a newline (a crash cut its last line): the next line starts a new one. */
  private historyNeedsNewline = false;

  private constructor(readonly dir: string, readonly secrets: ClassSecrets) {}

  static async open(dir: string): Promise<ClassStore> {
    try {
      mkdirSync(join(dir, 'reports'), { recursive: true, mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'mkdir';
      throw new Tp7Error(both(`impossible de créer le dossier de la classe ${dir} (${code}) : choisissez-en un autre avec --data`, `cannot make the class folder ${dir} (${code}): choose another with --data`), ExitCode.usage);
    }
    const store = new ClassStore(dir, classSecrets(dir));
    store.loadTokens();
    store.loadReports();
    store.loadHistory();
    store.history = await open(join(dir, 'history.jsonl'), 'a', 0o600);
    return store;
  }

  get file(): { reports: string; history: string; tokens: string } {
    return { reports: join(this.dir, 'reports'), history: join(this.dir, 'history.jsonl'), tokens: join(this.dir, 'tokens.json') };
  }

  private record(name: string): StudentRecord {
    const key = nameKey(name);
    let record = this.students.get(key);
    if (!record) {
      record = { key, name: displayName(name), released: false, submissions: 0 };
      this.students.set(key, record);
    }
    return record;
  }

  private loadTokens(): void {
    const tokens = readJson(this.file.tokens, TokensFile);
    for (const entry of Object.values(tokens?.students ?? {})) {
      const record = this.record(entry.name);
      if (record.tokenSha256) {
        // Two names an older board told apart now read as one (src/student-name.ts): the first keeps the name.
        this.warnings.push({ file: this.file.tokens, text: namesMergedText(record.name, entry.name) });
        continue;
      }
      Object.assign(record, { name: entry.name, tokenSha256: entry.tokenSha256, joinedAt: entry.joinedAt, released: entry.released, stale: entry.stale });
      if (!entry.released) this.byToken.set(entry.tokenSha256, record.key);
    }
  }

  private loadReports(): void {
    for (const name of readdirSync(this.file.reports).filter((file) => file.endsWith('.json'))) {
      const file = join(this.file.reports, name);
      let parsed;
      try {
        parsed = ReportSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      } catch (error) {
        this.warnings.push({ file, text: both(`JSON illisible (${(error as Error).message.split('\n')[0]})`, `not readable JSON (${(error as Error).message.split('\n')[0]})`) });
        continue;
      }
      if (!parsed.success) {
        this.warnings.push({ file, text: both('pas un rapport tp7-report/1 : ignoré', 'not a tp7-report/1 document: left out') });
        continue;
      }
      const record = this.record(parsed.data.student);
      if (record.report) {
        // Two files for one student (names that now read as one): the newer report is shown, the other file stays.
        this.warnings.push({ file, text: namesMergedText(record.report.student, parsed.data.student) });
        if (record.report.generatedAt >= parsed.data.generatedAt) continue;
      }
      record.report = parsed.data;
      record.reportFile = file;
      record.receivedAt ??= statSync(file).mtime.toISOString();
    }
  }

  private loadHistory(): void {
    if (!existsSync(this.file.history)) return;
    const text = readFileSync(this.file.history, 'utf8');
    this.historyNeedsNewline = text.length > 0 && !text.endsWith('\n');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let parsed;
      try {
        parsed = HistoryLine.safeParse(JSON.parse(line));
      } catch {
        continue; // a line a crash cut short: the report it announced was written before it, or not at all
      }
      if (!parsed.success) continue;
      this.sequence = Math.max(this.sequence, parsed.data.sequence);
      const record = this.students.get(nameKey(parsed.data.student));
      if (!record) continue;
      record.submissions += 1;
      record.receivedAt = parsed.data.receivedAt;
    }
  }

  /** The student a token belongs to, unless it was released. */
  byTokenOf(token: string): StudentRecord | undefined {
    const key = this.byToken.get(sha256(token));
    return key === undefined ? undefined : this.students.get(key);
  }

  find(name: string): StudentRecord | undefined {
    return this.students.get(nameKey(name));
  }

  /** True when `name` is held: joined, and not released since. */
  holds(name: string): boolean {
    const record = this.find(name);
    return Boolean(record?.tokenSha256 && !record.released);
  }

  /** How many names are held (the class's size, as `--max-students` bounds it). */
  heldNames(): number {
    return this.byToken.size;
  }

  /** Joins `name` and returns its new token, or undefined when the name is held (joined and not released). */
  async join(name: string): Promise<string | undefined> {
    if (this.holds(name)) return undefined;
    const record = this.record(name);
    const token = newSecret();
    if (record.tokenSha256) this.byToken.delete(record.tokenSha256);
    Object.assign(record, { name: displayName(name), tokenSha256: sha256(token), joinedAt: new Date().toISOString(), released: false });
    this.byToken.set(record.tokenSha256!, record.key);
    await this.saveTokens();
    return token;
  }

  /** Frees a name: its token stops working, its data stays. False when no one holds it. */
  async release(record: StudentRecord): Promise<boolean> {
    if (!record.tokenSha256 || record.released) return false;
    record.released = true;
    this.byToken.delete(record.tokenSha256);
    await this.saveTokens();
    return true;
  }

  async markStale(record: StudentRecord, generatedAt: string): Promise<void> {
    record.stale = { generatedAt, refusedAt: new Date().toISOString(), previous: record.report?.generatedAt ?? '' };
    await this.saveTokens();
  }

  /** Runs `work` after every earlier piece of work for the same student: two submissions never interleave. */
  serial<T>(record: StudentRecord, work: () => Promise<T>): Promise<T> {
    const previous = this.studentQueues.get(record.key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.studentQueues.set(record.key, settled);
    void settled.then(() => {
      if (this.studentQueues.get(record.key) === settled) this.studentQueues.delete(record.key);
    });
    return next;
  }

  /** Keeps an accepted report: the current one replaced atomically, then its line in the history. */
  async accept(record: StudentRecord, report: SubmittedReport): Promise<{ sequence: number; receivedAt: string }> {
    const stored = { ...report, student: record.name };
    const file = join(this.file.reports, reportFileName(record.name));
    await writeAtomicallyAsync(file, `${JSON.stringify(stored)}\n`, 0o600);
    // Read at start under the name an older board gave it: the new file replaces it (one file per student).
    if (record.reportFile && record.reportFile !== file) await rm(record.reportFile, { force: true });
    record.reportFile = file;
    const sequence = ++this.sequence;
    const receivedAt = new Date().toISOString();
    const line = { sequence, receivedAt, student: record.name, engine: report.integrity?.engine ?? null, percent: report.score.percent };
    const prefix = this.historyNeedsNewline ? '\n' : '';
    this.historyNeedsNewline = false;
    const write = this.historyQueue.then(() => this.history!.appendFile(`${prefix}${JSON.stringify(line)}\n`));
    this.historyQueue = write.catch(() => undefined);
    await write;
    Object.assign(record, { report: stored, receivedAt, submissions: record.submissions + 1 });
    return { sequence, receivedAt };
  }

  private saveTokens(): Promise<void> {
    const write = this.tokensQueue.then(() => {
      const students = Object.fromEntries(
        [...this.students.values()]
          .filter((record) => record.tokenSha256)
          .map((record) => [record.key, { name: record.name, tokenSha256: record.tokenSha256, joinedAt: record.joinedAt, released: record.released, ...(record.stale ? { stale: record.stale } : {}) }]),
      );
      return writeAtomicallyAsync(this.file.tokens, `${JSON.stringify({ students }, null, 1)}\n`, 0o600);
    });
    this.tokensQueue = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    await this.historyQueue;
    await this.tokensQueue;
    await this.history?.close();
    this.history = undefined;
  }
}
