import { PACKAGE_ROOT } from '../package-root.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { BOARD_SCHEMA, JOIN_LIMIT_BYTES, REPORT_LIMIT_BYTES } from '../board-contract.js';
import { both, type Lang, type LocalizedText } from '../lab/lang.js';
import { defaultDelimiter, DELIMITER_FORMS, readDelimiter } from '../report/delimiter.js';
import { gradebook, renderCsv } from '../report/gradebook.js';
import type { Report } from '../report/json.js';
import { renderClassJunit } from '../report/junit.js';
import { boundExtras } from '../report/extras.js';
import { ReportSchema } from '../report/schema.js';
import { nameProblem, nameProblemText } from '../student-name.js';
import { showControlsInline as shown } from '../ui/escape.js';
import { ConnectionLimit, CONNECTIONS_PER_ADDRESS } from './connections.js';
import { EventHub } from './events.js';
import { EngineIndex, flagsOf } from './integrity.js';
import { bearer, cookie, drainUnreadBody, fromFastify, readBody, Refused, SECURITY_HEADERS } from './http.js';
import { refusal, REFUSALS } from './messages.js';
import { nameKey, sha256 } from './names.js';
import { stuckChecks, studentRow, type CourseOutline, type StudentRow } from './rows.js';
import { sameCode, secretEquals } from './secrets.js';
import type { ClassStore, StudentRecord } from './store.js';

// `tp7 serve`'s HTTP side (the contract: README, "The classroom board"). Students are the attackers here: every body is
// size-limited and validated, every token checked before the body is read, every student rate-limited, and a
// name is only ever compared and hashed. The board page is static files with a strict Content-Security-Policy.

export const BOARD_DIR = join(PACKAGE_ROOT, 'board');
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
  /** The longest a request may take to arrive, headers and body (TP7_SERVE_REQUEST_TIMEOUT_MS, 30 s). */
  requestTimeoutMs?: number;
  /** Open connections per client address (TP7_SERVE_CONNECTIONS_PER_ADDRESS, 32); past them, 429. */
  connectionsPerAddress?: number;
  /** Names held at once (`tp7 serve --max-students`, 500); a join past them is refused (403 class-full). */
  maxStudents?: number;
  /** The class's language, told to the board page: `tp7 serve`'s, and whether `--lang` chose it (French otherwise). */
  pageLanguage?: { lang: Lang; asked: boolean };
}

export const MAX_STUDENTS = 500;
/** Joins per client address per minute: a room behind one NAT address joins within a minute or two. */
export const JOINS_PER_MINUTE = 30;

export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Node's own limits on a request's arrival, for http.createServer: headers and the whole request both within
 * `timeoutMs`, checked often enough that a slow-loris client is cut at that time, not up to 30 s later (node
 * looks every 30 s by default, and allows headers 60 s). A response (the event stream) is no request: never cut.
 */
export function arrivalLimits(timeoutMs: number): { requestTimeout: number; headersTimeout: number; connectionsCheckingInterval: number } {
  return { requestTimeout: timeoutMs, headersTimeout: timeoutMs, connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(timeoutMs / 10))) };
}

/** The name is read by src/student-name.ts (a refusal names the character), after this shape check. */
const JoinBody = z.strictObject({ name: z.string().max(1024), code: z.string().max(64) });

export async function buildServer(options: ServeOptions): Promise<FastifyInstance> {
  const { store, outline } = options;
  const log = options.log ?? (() => undefined);
  const hub = new EventHub(options.pingMs);
  const engines = new EngineIndex();
  for (const record of store.students.values()) engines.set(record.key, record.report?.integrity?.engine);
  // A body that trickles in (a slow-loris student) is cut after 30 s; the event stream is a response, not a request.
  const arrival = arrivalLimits(options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS);
  const app = Fastify({ logger: false, bodyLimit: REPORT_LIMIT_BYTES, trustProxy: false, return503OnClosing: true, requestTimeout: arrival.requestTimeout, http: arrival });
  const connections = new ConnectionLimit(options.connectionsPerAddress ?? CONNECTIONS_PER_ADDRESS);
  connections.watch(app.server);
  const maxStudents = options.maxStudents ?? MAX_STUDENTS;

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
    drainUnreadBody(request, reply);
    if (request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
  app.addHook('preClose', async () => hub.close());
  app.addHook('onRequest', async (request, reply) => {
    if (!connections.isOver(request.raw.socket)) return;
    reply.header('connection', 'close');
    throw new Refused('too-many-connections', undefined, 5);
  });

  app.setErrorHandler((error: unknown, _request, reply) => {
    const refused = error instanceof Refused ? error : fromFastify(error);
    if (refused.retryAfter !== undefined) reply.header('Retry-After', String(refused.retryAfter));
    if (refused.code === 'internal') log(both(`erreur interne : ${shown(String((error as Error)?.message ?? error))}`, `internal error: ${shown(String((error as Error)?.message ?? error))}`));
    return reply.code(REFUSALS[refused.code].status).type('application/json; charset=utf-8').send(refusal(refused.code, refused.problems, refused.message));
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
    bodyLimit: JOIN_LIMIT_BYTES,
    config: { rateLimit: { max: options.joinsPerMinute ?? JOINS_PER_MINUTE, timeWindow: 60_000 } },
  }, async (request, reply) => {
    const body = readBody(JoinBody, request.body);
    const problem = nameProblem(body.name);
    if (problem) {
      const text = nameProblemText(problem);
      throw new Refused('invalid', [`name: ${text.en}`], undefined, text);
    }
    if (!sameCode(body.code, store.secrets.code)) throw new Refused('bad-code');
    // Checked and taken in one turn of the event loop: two joins at once cannot both take the last place.
    if (!store.holds(body.name) && store.heldNames() >= maxStudents) throw new Refused('class-full');
    const token = await store.join(body.name);
    if (token === undefined) throw new Refused('name-taken');
    const record = store.find(body.name)!;
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
    // Fields the format does not define are kept, bounded (src/report/extras.ts); the answer names those dropped.
    const { value: report, dropped } = boundExtras(ReportSchema, readBody(ReportSchema, request.body));
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
    return reply.code(202).send({ accepted: true, ...accepted, ...(dropped.length ? { ignored: dropped } : {}) });
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
  const pageLanguage = options.pageLanguage ?? { lang: 'fr', asked: false };
  /** `?lang=fr|en` (the board page adds its own), else the class's language. */
  const langOf = (request: FastifyRequest): Lang => {
    const asked = (request.query as { lang?: unknown }).lang;
    return asked === 'fr' || asked === 'en' ? asked : pageLanguage.lang;
  };
  app.get('/api/export.csv', { onRequest: instructor }, async (request, reply) => {
    // `?delimiter=` (`;`, `,` or tab), else the one a spreadsheet of the page's language splits on (`;` in French).
    const asked = (request.query as { delimiter?: unknown }).delimiter;
    const delimiter = asked === undefined ? defaultDelimiter(langOf(request)) : typeof asked === 'string' ? readDelimiter(asked) : undefined;
    if (!delimiter) throw new Refused('invalid', [`delimiter: ${DELIMITER_FORMS.en} expected, not "${shown(String(asked))}"`]);
    return attachment(reply, 'text/csv; charset=utf-8', 'tp7-class.csv').send(renderCsv(gradebook(entries()), [], delimiter));
  });
  app.get('/api/export.json', { onRequest: instructor }, async (_request, reply) => attachment(reply, 'application/json; charset=utf-8', 'tp7-class.json').send(gradebook(entries())));
  app.get('/api/export.junit.xml', { onRequest: instructor }, async (request, reply) => attachment(reply, 'application/xml; charset=utf-8', 'tp7-class.junit.xml').send(renderClassJunit(entries(), new Date().toISOString(), langOf(request))));

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
    const page = await readFile(join(boardDir, 'index.html'), 'utf8').catch(() => undefined);
    if (page === undefined) throw new Refused('not-found');
    return reply.type('text/html; charset=utf-8').send(withClassLanguage(page, pageLanguage));
  });
  app.get('/board/', async (_request, reply) => reply.redirect('/board', 303));
  if (existsSync(boardDir)) {
    // The page itself only through /board, which tells it the class's language; its scripts and styles as they are.
    await app.register(fastifyStatic, { root: boardDir, prefix: '/board/', index: false, allowedPath: (path) => path !== '/index.html', dotfiles: 'deny', cacheControl: false, etag: true });
  }

  return app;
}

/**
 * The board page with the class's language on its <html> (`data-class-lang`, `data-class-lang-asked`), which
 * board/messages.js reads: the CSP allows no inline script, and an attribute is known before the page's
 * scripts run, so the page opens in its language at once.
 */
export function withClassLanguage(page: string, language: { lang: Lang; asked: boolean }): string {
  return page.replace(/<html\b[^>]*>/i, `<html lang="${language.lang}" data-class-lang="${language.lang}" data-class-lang-asked="${language.asked}">`);
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
