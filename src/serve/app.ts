import { PACKAGE_ROOT } from '../package-root.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { both, type LocalizedText } from '../lab/lang.js';
import { DELIMITER_FORMS, readDelimiter } from '../report/delimiter.js';
import { gradebook, renderCsv } from '../report/gradebook.js';
import type { Report } from '../report/json.js';
import { renderClassJunit } from '../report/junit.js';
import { ReportSchema, StudentName } from '../report/schema.js';
import { showControlsInline as shown } from '../ui/escape.js';
import { EventHub } from './events.js';
import { EngineIndex, flagsOf } from './integrity.js';
import { bearer, cookie, fromFastify, problemsOf, Refused, SECURITY_HEADERS } from './http.js';
import { refusal, REFUSALS } from './messages.js';
import { nameKey, sha256 } from './names.js';
import { stuckChecks, studentRow, type CourseOutline, type StudentRow } from './rows.js';
import { sameCode, secretEquals } from './secrets.js';
import type { ClassStore, StudentRecord } from './store.js';

// `tp7 serve`'s HTTP side (the contract: BOARD-API.md). Students are the attackers here: every body is
// size-limited and validated, every token checked before the body is read, every student rate-limited, and a
// name is only ever compared and hashed. The board page is static files with a strict Content-Security-Policy.

export const BOARD_SCHEMA = 'tp7-board/1';
export const BOARD_DIR = join(PACKAGE_ROOT, 'board');
const REPORT_LIMIT = 1024 * 1024;
const JOIN_LIMIT = 4 * 1024;
const COOKIE = 'tp7_board';

export interface ServeOptions {
  store: ClassStore;
  outline: CourseOutline;
  /** One line for the instructor's terminal, in both languages (the caller picks one). */
  log?: (line: LocalizedText) => void;
  /** Submissions per token per minute (BOARD-API.md: generous enough for `tp7 watch`). */
  submitsPerMinute?: number;
  /** Joins per client address per minute: the class code is guessed at this rate at best. */
  joinsPerMinute?: number;
  boardDir?: string;
  pingMs?: number;
}

const JoinBody = z.strictObject({ name: StudentName, code: z.string().max(64) });

export async function buildServer(options: ServeOptions): Promise<FastifyInstance> {
  const { store, outline } = options;
  const log = options.log ?? (() => undefined);
  const hub = new EventHub(options.pingMs);
  const engines = new EngineIndex();
  for (const record of store.students.values()) engines.set(record.key, record.report?.integrity?.engine);
  // A body that trickles in (a slow-loris student) is cut after 30 s; the event stream is a response, not a request.
  const app = Fastify({ logger: false, bodyLimit: REPORT_LIMIT, trustProxy: false, return503OnClosing: true, requestTimeout: 30_000 });

  const nameOf = (key: string) => store.students.get(key)?.name ?? key;
  const rowOf = (record: StudentRecord): StudentRow & { released: boolean } => ({
    ...studentRow(record, outline, flagsOf(record, outline, engines, nameOf)),
    released: record.released,
  });
  const shownRecords = () => [...store.students.values()].filter((record) => record.report || (record.tokenSha256 && !record.released)).sort((a, b) => a.name.localeCompare(b.name));
  const publish = (keys: string[]) => {
    for (const key of keys) {
      const record = store.students.get(key);
      if (record) hub.send('student', rowOf(record));
    }
  };

  app.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    if (request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
  app.addHook('preClose', async () => hub.close());

  app.setErrorHandler((error: unknown, _request, reply) => {
    const refused = error instanceof Refused ? error : fromFastify(error);
    if (refused.retryAfter !== undefined) reply.header('Retry-After', String(refused.retryAfter));
    if (refused.code === 'internal') log(both(`erreur interne : ${shown(String((error as Error)?.message ?? error))}`, `internal error: ${shown(String((error as Error)?.message ?? error))}`));
    return reply.code(REFUSALS[refused.code].status).type('application/json; charset=utf-8').send(refusal(refused.code, refused.problems));
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(refusal('not-found')));

  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new Refused('rate-limited', undefined, Math.max(1, Math.ceil(context.ttl / 1000))),
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
  });

  // ---- students ---------------------------------------------------------------------------------------------

  app.get('/', async (_request, reply) => reply.type('text/plain; charset=utf-8').send(
    'tp7 — tableau de classe / classroom board\n\nÉtudiants : `tp7 join <cette adresse>` puis `tp7 check --submit`.\nStudents: `tp7 join <this address>`, then `tp7 check --submit`.\n',
  ));

  app.get('/api/health', async () => ({ ok: true, schema: BOARD_SCHEMA }));

  app.post('/api/join', {
    bodyLimit: JOIN_LIMIT,
    config: { rateLimit: { max: options.joinsPerMinute ?? 300, timeWindow: 60_000 } },
  }, async (request, reply) => {
    const parsed = JoinBody.safeParse(request.body);
    if (!parsed.success) throw new Refused('invalid', problemsOf(parsed.error.issues));
    if (!sameCode(parsed.data.code, store.secrets.code)) throw new Refused('bad-code');
    const token = await store.join(parsed.data.name);
    if (token === undefined) throw new Refused('name-taken');
    const record = store.find(parsed.data.name)!;
    log(both(`« ${shown(record.name)} » a rejoint la classe`, `"${shown(record.name)}" joined the class`));
    publish([record.key]);
    return reply.code(201).send({ student: record.name, token });
  });

  app.post('/api/submit', {
    // The token is checked before the body is read: a stranger's megabyte is refused unread.
    onRequest: async (request) => {
      const token = bearer(request);
      if (!token) throw new Refused('no-token');
      if (!store.byTokenOf(token)) throw new Refused('bad-token');
    },
    config: {
      rateLimit: {
        max: options.submitsPerMinute ?? 40,
        timeWindow: 60_000,
        keyGenerator: (request: FastifyRequest) => `token:${sha256(bearer(request) ?? request.ip)}`,
      },
    },
  }, async (request, reply) => {
    const record = store.byTokenOf(bearer(request)!);
    if (!record) throw new Refused('bad-token');
    const parsed = ReportSchema.safeParse(request.body);
    if (!parsed.success) throw new Refused('invalid', problemsOf(parsed.error.issues));
    const report = parsed.data;
    if (nameKey(report.student) !== record.key) throw new Refused('wrong-student');
    const accepted = await store.serial(record, async () => {
      const previous = record.report?.generatedAt;
      if (previous && Date.parse(report.generatedAt) < staleBefore(previous, record.receivedAt)) {
        await store.markStale(record, report.generatedAt);
        log(both(`« ${shown(record.name)} » : rapport plus ancien que le dernier, refusé`, `"${shown(record.name)}": report older than the last one, refused`));
        publish([record.key]);
        throw new Refused('stale');
      }
      const done = await store.accept(record, report);
      publish([...new Set([record.key, ...engines.set(record.key, report.integrity?.engine)])]);
      return done;
    });
    log(both(`« ${shown(record.name)} » : ${report.score.percent} % (n° ${accepted.sequence})`, `"${shown(record.name)}": ${report.score.percent} % (#${accepted.sequence})`));
    return reply.code(202).send({ accepted: true, ...accepted });
  });

  // ---- the instructor ---------------------------------------------------------------------------------------

  const instructor = async (request: FastifyRequest) => {
    const given = bearer(request) ?? cookie(request, COOKIE);
    if (!given || !secretEquals(given, store.secrets.key)) throw new Refused('unauthorized');
  };

  app.get('/api/board', { onRequest: instructor }, async () => {
    const records = shownRecords();
    return {
      schema: BOARD_SCHEMA,
      class: { code: store.secrets.code },
      exercises: outline.exercises,
      skills: outline.skills.map((skill) => skill.id),
      students: records.map(rowOf),
      stuck: stuckChecks(records.flatMap((record) => (record.report ? [record.report] : [])), outline),
    };
  });

  const named = (request: FastifyRequest): StudentRecord => {
    const record = store.find((request.params as { name: string }).name);
    if (!record || !(record.report || record.tokenSha256)) throw new Refused('not-found');
    return record;
  };

  app.get('/api/students/:name', { onRequest: instructor }, async (request) => {
    const record = named(request);
    return { row: rowOf(record), report: record.report ?? null };
  });

  app.post('/api/students/:name/release', { onRequest: instructor }, async (request, reply) => {
    const record = named(request);
    if (await store.release(record)) {
      log(both(`« ${shown(record.name)} » libéré : ce nom peut rejoindre à nouveau`, `"${shown(record.name)}" released: the name may join again`));
      hub.send('released', { name: record.name });
      publish([record.key]);
    }
    return reply.code(204).send();
  });

  app.get('/api/events', { onRequest: instructor }, async (_request, reply) => {
    reply.hijack();
    hub.add(reply.raw, SECURITY_HEADERS);
  });

  const entries = () => shownRecords().flatMap((record) => (record.report ? [{ student: record.name, report: record.report as unknown as Report }] : []));
  const attachment = (reply: FastifyReply, type: string, file: string) => reply.type(type).header('Content-Disposition', `attachment; filename="${file}"`);
  app.get('/api/export.csv', { onRequest: instructor }, async (request, reply) => {
    // `?delimiter=;` (or tab) for a French spreadsheet; the cells are otherwise apart by `,`.
    const asked = (request.query as { delimiter?: unknown }).delimiter;
    const delimiter = asked === undefined ? ',' : typeof asked === 'string' ? readDelimiter(asked) : undefined;
    if (!delimiter) throw new Refused('invalid', [`delimiter: ${DELIMITER_FORMS.en} expected, not "${shown(String(asked))}"`]);
    return attachment(reply, 'text/csv; charset=utf-8', 'tp7-class.csv').send(renderCsv(gradebook(entries()), [], delimiter));
  });
  app.get('/api/export.json', { onRequest: instructor }, async (_request, reply) => attachment(reply, 'application/json; charset=utf-8', 'tp7-class.json').send(gradebook(entries())));
  app.get('/api/export.junit.xml', { onRequest: instructor }, async (_request, reply) => attachment(reply, 'application/xml; charset=utf-8', 'tp7-class.junit.xml').send(renderClassJunit(entries(), new Date().toISOString())));

  // ---- the board page ---------------------------------------------------------------------------------------

  const boardDir = options.boardDir ?? BOARD_DIR;
  app.get('/board', async (request, reply) => {
    const key = (request.query as { key?: unknown }).key;
    if (typeof key === 'string') {
      if (!secretEquals(key, store.secrets.key)) throw new Refused('unauthorized');
      // The key leaves the address bar (and the history) at once; the browser keeps it as a cookie scripts cannot read.
      reply.header('Set-Cookie', `${COOKIE}=${key}; HttpOnly; SameSite=Strict; Path=/`);
      return reply.redirect('/board', 303);
    }
    if (!existsSync(join(boardDir, 'index.html'))) throw new Refused('not-found');
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
  if (existsSync(boardDir)) {
    await app.register(fastifyStatic, { root: boardDir, prefix: '/board/', index: ['index.html'], dotfiles: 'deny', cacheControl: false, etag: true });
  }

  return app;
}

/**
 * A report is stale when made before the last one accepted. Its own clock says when it was made: a student
 * machine whose clock ran ahead (then was set right) would have every later report refused, so the time the
 * last one was received bounds that date.
 */
function staleBefore(previousGeneratedAt: string, previousReceivedAt: string | undefined): number {
  const generated = Date.parse(previousGeneratedAt);
  const received = previousReceivedAt === undefined ? Number.NaN : Date.parse(previousReceivedAt);
  return Number.isNaN(received) ? generated : Math.min(generated, received);
}
