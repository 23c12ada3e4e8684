import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningSender } from '../../src/submit/queue.js';
// The stand-in for `tp7 serve` (a test fixture) for the page-level tests; the last describe runs the real server.
import { startBoardStandIn, type BoardStandIn as StandIn } from '../fixtures/board-stand-in.mjs';
import { cleanupExercise, docker, engineArch, freePort, newWorkdir, ok, TP7_BIN, tp7, tp7Json } from './harness.js';
import { tempDir } from '../tmp.js';

// The board page in a real browser: Debian's chromium driven by playwright-core (no browser download).
// Real reports from `tp7 check --json` on the test engine are handed in over HTTP as the student side does;
// the page must show them live, open a student's detail from the keyboard, and show a hostile name as text.
// These page-level tests keep the stand-in (it can drop the stream on demand); the end-to-end describe at the
// bottom runs the real `tp7 serve`, `tp7 join` and `tp7 check --submit`.

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const HOSTILE = '<img src=x onerror=alert(1)>';
const LIVE_MS = 5_000; // generous for a loaded CI machine; the contract's target (1 s) is measured by the bench
// End to end, a report also waits for the check, the detached sender's start and its HTTP round trip.
const E2E_MS = 15_000;

// scripts/test.sh installs chromium (tp7_install_packages); only a machine where that was impossible skips,
// and says so in the test name and the log.
const missing = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium): board browser test SKIPPED`;
if (missing) console.warn(missing);

async function handIn(standIn: StandIn, report: { student: string }): Promise<number> {
  const joined = await fetch(`${standIn.url}/api/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: report.student, code: standIn.code }),
  });
  expect(joined.status).toBe(201);
  const { token } = (await joined.json()) as { token: string };
  const submitted = await fetch(`${standIn.url}/api/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(report),
  });
  expect(submitted.status).toBe(202);
  return Date.now();
}

/** Chromium with its own profile, one page; every dialog (an alert a hostile name would raise) is noted and dismissed. */
async function openBrowser(dialogs: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(tempDir('chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    locale: 'en-GB',
    viewport: { width: 1600, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { context, page };
}

/** The hostile name arrives in the grid as text: no element made from it, no script run (no dialog). */
async function expectHostileAsText(page: Page, dialogs: string[], timeout: number): Promise<void> {
  const name = page.locator('#grid tbody th.col-name bdi', { hasText: HOSTILE });
  await name.waitFor({ timeout });
  expect(await name.textContent()).toBe(HOSTILE);
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.locator('[onerror]').count()).toBe(0);
  expect(dialogs).toEqual([]);
}

interface Serving {
  schema: string;
  urls: string[];
  code: string;
  board: string;
}

/** The real `tp7 serve --json` on `port`: the process and its one line (address, code, board URL). */
async function startServe(port: number, data: string, extra: string[] = []): Promise<{ server: ResultPromise; serving: Serving }> {
  const server = execa('node', [TP7_BIN, 'serve', '--port', String(port), '--data', data, '--json', ...extra], {
    env: { TP7_LANG: 'en', NO_COLOR: '1' },
    reject: false,
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`tp7 serve printed no line in 15 s: ${seen}`)), 15_000);
    server.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const end = seen.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(seen.slice(0, end));
      }
    });
    void server.then((result) => reject(new Error(`tp7 serve exited (${result.exitCode}): ${result.stderr}`)));
  });
  const serving = JSON.parse(firstLine) as Serving;
  expect(serving.schema).toBe('tp7-serve/1');
  expect(new URL(serving.urls[0]!).port).toBe(String(port));
  return { server, serving };
}

/** Stops a `tp7 serve` started by startServe: SIGINT, then SIGKILL after 10 s. */
async function stopServe(server: ResultPromise | undefined): Promise<void> {
  if (!server) return;
  server.kill('SIGINT'); // a no-op when it has already exited
  const stopped = await Promise.race([server, new Promise((resolve) => setTimeout(resolve, 10_000, 'timeout'))]);
  if (stopped === 'timeout') server.kill('SIGKILL');
}

const row = (page: Page, name: string) => page.locator('#grid tbody tr').filter({ has: page.locator('th.col-name', { hasText: name }) });

describe.skipIf(missing !== null)(missing ?? 'the board page in Chromium', () => {
  let standIn: StandIn;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const pageProblems: string[] = [];
  interface Report {
    student: string;
    score: { percent: number };
    exercises: Array<{ id: string; checks: Array<{ title: string; message: string }> }>;
  }
  let alice: Report;
  let hostile: Report;

  beforeAll(async () => {
    await cleanupExercise('ex1');
    // A student part-way through exercise 1: one image pulled, one question answered.
    await ok(docker('pull', 'nginx:alpine'));
    const workdir = newWorkdir();
    await ok(tp7(['answer', 'ex1', 'architecture', await engineArch()], { workdir }));
    alice = (await tp7Json(['check', '--student', 'Alice Martin'], { workdir })).json;
    hostile = (await tp7Json(['check', 'ex1', '--student', HOSTILE], { workdir: newWorkdir() })).json;
    expect(hostile.student).toBe(HOSTILE);

    standIn = await startBoardStandIn();
    ({ context, page } = await openBrowser(dialogs));
    page.on('pageerror', (error) => pageProblems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageProblems.push(message.text());
    });
  });

  afterAll(async () => {
    await context?.close();
    await standIn?.close();
    await cleanupExercise('ex1');
  });

  it('opens with the instructor key, goes live, and shows an empty class', async () => {
    const response = await page.goto(standIn.boardUrl);
    expect(new URL(page.url()).pathname).toBe('/board'); // the key went into the cookie, out of the address bar
    expect(response?.headers()['content-security-policy']).toBe("default-src 'self'");
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: LIVE_MS }).toContain('live');
    expect(await page.locator('#grid tbody').textContent()).toContain('No student yet');
    expect(await page.locator('#class-code').textContent()).toContain(standIn.code);
  });

  it('shows a submitted report live, without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const sentAt = await handIn(standIn, alice);
    await row(page, 'Alice Martin').waitFor({ timeout: LIVE_MS });
    console.log(`board: the student appeared ${Date.now() - sentAt} ms after the submission was accepted`);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    const ex1 = row(page, 'Alice Martin').locator('td[data-exercise="ex1"]');
    expect(await ex1.getAttribute('class')).toMatch(/status-(partial|fail|pass)/);
    expect(await ex1.getAttribute('aria-label')).toMatch(/^Alice Martin, ex1: (passed|partial|failed), \d+ of \d+ points$/);
    // The stuck list follows (it comes with the board snapshot).
    await expect.poll(() => page.locator('#stuck-list li').count(), { timeout: LIVE_MS }).toBeGreaterThan(0);
  });

  it('shows a hostile name as text: no element made, no script run', async () => {
    await handIn(standIn, hostile);
    await expectHostileAsText(page, dialogs, LIVE_MS);
  });

  it('opens a student detail from the keyboard, and Escape closes it', async () => {
    // Tab from the top of the page until the grid's one tab stop has the focus.
    await page.locator('body').focus();
    const inGrid = () => page.evaluate(() => document.getElementById('grid')!.contains(document.activeElement));
    for (let presses = 0; presses < 30 && !(await inGrid()); presses++) await page.keyboard.press('Tab');
    expect(await inGrid()).toBe(true);
    // Rows are sorted by name: "<img…" first, then Alice. Down to Alice, right onto ex1, Enter.
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Alice Martin, ex1:/);
    await page.keyboard.press('Enter');
    const detail = page.locator('dialog#detail');
    await detail.locator('.exercise').first().waitFor({ timeout: LIVE_MS });
    expect(await detail.evaluate((dialog: HTMLDialogElement) => dialog.open)).toBe(true);
    expect(await detail.locator('h2').textContent()).toBe('Alice Martin');
    const check = alice.exercises.find((exercise) => exercise.id === 'ex1')!.checks[0]!;
    expect(await detail.locator('.exercise[data-exercise="ex1"] .check').first().textContent()).toContain(check.title);
    expect(await detail.locator('.exercise[data-exercise="ex1"] .check').first().textContent()).toContain(check.message);
    expect(await detail.locator('.summary').textContent()).toContain('Submissions: 1');
    await page.keyboard.press('Escape');
    expect(await detail.evaluate((dialog: HTMLDialogElement) => dialog.open)).toBe(false);
    expect(await inGrid()).toBe(true); // focus back where the instructor was
  });

  it('the hostile student detail shows the name as text too', async () => {
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Enter');
    const heading = page.locator('dialog#detail h2');
    await page.locator('dialog#detail .exercise').first().waitFor({ timeout: LIVE_MS });
    expect(await heading.textContent()).toBe(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(dialogs).toEqual([]);
  });

  it('filters, sorts and switches language', async () => {
    await page.locator('#search').fill('alice');
    await expect.poll(() => page.locator('#grid tbody tr').count()).toBe(1);
    await page.locator('#search').fill('');
    // The scores come from real checks: the expectations are derived from the two reports.
    const [low, high] = [alice, hostile].sort((a, b) => a.score.percent - b.score.percent);
    await page.locator('#below').fill(String(high!.score.percent));
    await expect.poll(() => page.locator('#grid tbody tr').count()).toBe(low!.score.percent < high!.score.percent ? 1 : 2);
    await page.locator('#below').fill('');
    await page.locator('#sort').selectOption('score');
    if (low!.score.percent < high!.score.percent) expect(await page.locator('#grid tbody th.col-name').first().textContent()).toBe(high!.student);
    await page.locator('#sort').selectOption('name');
    for (const kind of ['csv', 'json', 'junit.xml']) expect(await page.locator(`a[href="/api/export.${kind}?lang=en"]`).count()).toBe(1);
    await page.locator('#lang').click();
    expect(await page.locator('h1').textContent()).toBe('Tableau de la classe — TP7');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await page.locator('#lang').click();
    expect(await page.locator('h1').textContent()).toBe('Class board — TP7');
  });

  it('says "reconnecting" when the stream drops, then catches up live', async () => {
    standIn.dropStreams();
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: LIVE_MS }).toContain('reconnecting');
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 3 * LIVE_MS }).toContain('live');
    await handIn(standIn, { ...alice, student: 'Bruno Dubois' });
    await row(page, 'Bruno Dubois').waitFor({ timeout: LIVE_MS });
  });

  it('says "live" only once the snapshot is shown, even when the snapshot is slower than the stream', async () => {
    standIn.slowSnapshot(1500);
    try {
      await page.reload();
      // Sampled while the snapshot travels: the stream is open by then, but the page must not claim to be live.
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await page.locator('#connection').textContent()).not.toContain('live');
      await expect.poll(() => page.locator('#connection').textContent(), { timeout: LIVE_MS }).toContain('live');
      expect(await page.locator('#class-code').textContent()).toContain(standIn.code);
      expect(await row(page, 'Bruno Dubois').count()).toBe(1);
    } finally {
      standIn.slowSnapshot(0);
    }
  });

  it('renders readably (screenshots) and without page errors or CSP refusals', async () => {
    const folder = process.env.TP7_BOARD_SCREENSHOTS ?? tempDir('screens-');
    mkdirSync(folder, { recursive: true });
    await page.screenshot({ path: join(folder, 'board.png'), fullPage: true });
    await page.locator('#large').click();
    await page.screenshot({ path: join(folder, 'board-large.png'), fullPage: true });
    await page.locator('#large').click();
    console.log(`board screenshots: ${folder}`);
    expect(pageProblems).toEqual([]);
  });
});

// The "done when", end to end: the REAL `tp7 serve` (its one --json line gives the address, code and
// board URL), two students in two workdirs joining with the real `tp7 join` and sending with the real
// `tp7 check ex1 --submit` (the detached background sender does the HTTP), and the board in Chromium showing
// both, live, without a reload. ex1 unsolved is fine: the report is red but a valid report.
describe.skipIf(missing !== null)(missing ?? 'the board page in Chromium against the real tp7 serve', () => {
  let server: ResultPromise;
  let serving: Serving;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const senders = new Set<number>();
  const workdirs: string[] = [];

  /** Real join then real check --submit in a fresh workdir; remembers the sender it started, to stop it at the end. */
  async function joinAndSubmit(name: string): Promise<number> {
    const workdir = newWorkdir();
    workdirs.push(workdir);
    const joined = await tp7(['join', serving.urls[0]!, '--name', name, '--code', serving.code], { workdir });
    expect(joined.exitCode, joined.stderr).toBe(0);
    const { run, json } = await tp7Json<{ schema: string; student: string }>(['check', 'ex1', '--submit'], { workdir });
    expect(json.schema, run.stderr).toBe('tp7-report/1');
    expect(json.student).toBe(name);
    const sender = runningSender(workdir);
    if (sender !== undefined) senders.add(sender);
    return Date.now();
  }

  beforeAll(async () => {
    await cleanupExercise('ex1');
    ({ server, serving } = await startServe(await freePort(), tempDir('serve-data-')));
    ({ context, page } = await openBrowser(dialogs));
  });

  afterAll(async () => {
    await context?.close();
    // The senders exit on their own once their outbox is empty; one still running after 15 s is stopped by its pid.
    for (const workdir of workdirs) {
      const deadline = Date.now() + 15_000;
      while (runningSender(workdir) !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const pid = runningSender(workdir);
      if (pid !== undefined) senders.add(pid);
    }
    for (const pid of senders) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone: what we want
      }
    }
    await stopServe(server);
    await cleanupExercise('ex1');
  });

  it('two students join and submit with the real commands; the board shows both live', async () => {
    await page.goto(serving.board);
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: LIVE_MS }).toContain('live');
    expect(await page.locator('#class-code').textContent()).toContain(serving.code);
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    const names = ['Camille Roux', 'Dorian Petit'];
    const sentAt = await Promise.all(names.map((name) => joinAndSubmit(name)));
    // A row appears as soon as its student joins; its ex1 cell fills when the background sender's report arrives.
    for (const name of names) {
      const ex1 = row(page, name).locator('td[data-exercise="ex1"]');
      await expect.poll(() => ex1.getAttribute('aria-label').catch(() => null), { timeout: E2E_MS })
        .toMatch(new RegExp(`^${name}, ex1: (passed|partial|failed), \\d+ of \\d+ points$`));
    }
    console.log(`board (real server): both students' reports shown ${Date.now() - Math.max(...sentAt)} ms after the last check returned`);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  });

  it('a hostile name joined through the real server shows as text: no element made, no script run', async () => {
    await joinAndSubmit(HOSTILE);
    await expectHostileAsText(page, dialogs, E2E_MS);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  });
});

// Issue 20: the board opens in the class's language. `tp7 serve --lang fr` wins over an English browser; without
// --lang the browser's language decides; what the instructor picks with the page's switch is kept, and only that.
describe.skipIf(missing !== null)(missing ?? "the board page opens in the class's language", () => {
  let server: ResultPromise | undefined;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    ({ context, page } = await openBrowser(dialogs)); // locale en-GB
  });

  afterAll(async () => {
    await context?.close();
    await stopServe(server);
  });

  it('opens in French for `tp7 serve --lang fr` in an English browser, then follows the browser without --lang', async () => {
    const port = await freePort();
    const data = tempDir('serve-lang-');
    let serving: Serving;
    ({ server, serving } = await startServe(port, data, ['--lang', 'fr']));
    await page.goto(serving.board);
    expect(await page.locator('h1').textContent()).toBe('Tableau de la classe — TP7');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await page.locator('a[data-export="/api/export.junit.xml"]').getAttribute('href')).toBe('/api/export.junit.xml?lang=fr');
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: LIVE_MS }).toContain('en direct');
    // Another choice saved (the sort) must not save the language the page merely opened in.
    await page.locator('#sort').selectOption('score');
    await stopServe(server);
    ({ server, serving } = await startServe(port, data));
    await page.goto(serving.board);
    expect(await page.locator('h1').textContent()).toBe('Class board — TP7');
    expect(await page.locator('#sort').inputValue()).toBe('score');
    // The switch is a choice: kept across reloads, whatever the server says.
    await page.locator('#lang').click();
    await page.reload();
    expect(await page.locator('h1').textContent()).toBe('Tableau de la classe — TP7');
    expect(dialogs).toEqual([]);
  });
});
