import { execSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_LABEL } from '../../src/engine/probe-owner.js';
import { SCRATCH_PREFIX } from '../../src/scripts/recorded-run.js';
import { freePort, newWorkdir, runSolution, tp7, tp7Json, type Run } from './harness.js';
import { tempDir } from '../tmp.js';
import { forever, standInEngine } from '../stand-in-engine.js';
import { tarHeader } from '../fixtures/archives/build.js';

// The "done when": `tp7 grade roster.csv` on a mixed roster. One student over ssh:// (the test sshd of
// scripts/test-sshd.sh: on this machine, so the "remote" workdir is a local folder read over SFTP and the
// remote's docker reaches the test engine), the same workdir again through an sshd that offers no SFTP (read
// over its shell: it once was a row "sftp ended (255)"), one over the engine's local unix socket, one dead ssh
// host (a closed port). The ssh student solved ex1 and ex6; ex6's checks do recorded runs of the student's cleanup script, so
// the recorded run happens on the remote (scratch folder, docker shim, forwarded reads).
const sshDir = process.env.TP7_TEST_SSH_DIR!;
const sshPort = () => /^Port (\d+)$/m.exec(readFileSync(join(sshDir, 'sshd_config'), 'utf8'))![1]!;
const sshEnv = () => ({ PATH: `${sshDir}/bin:${process.env.PATH}` });
const EXERCISES = ['ex1', 'ex6'];

/** The engine's images and containers, probe resources excepted (they belong to the process that made them). */
async function engineSnapshot(): Promise<string[]> {
  const docker = new Docker();
  const images = await docker.listImages({ all: true });
  const containers = await docker.listContainers({ all: true });
  const isProbe = (labels: Record<string, string> | null | undefined) => labels?.[PROBE_LABEL] !== undefined;
  return [
    ...images.filter((image) => !isProbe(image.Labels)).map((image) => `image ${image.Id} ${[...(image.RepoTags ?? [])].sort().join(' ')}`),
    ...containers.filter((container) => !isProbe(container.Labels)).map((container) => `container ${container.Id} ${container.Names.join(' ')} ${container.State}`),
  ].sort();
}

/** Every path under a workdir with its kind, size and modification time: grading writes and touches nothing. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((name) => {
      const path = join(dir, String(name));
      const stat = lstatSync(path);
      return `${path} ${stat.mode} ${stat.size} ${stat.mtimeMs}`;
    })
    .sort();
}

/** The recorded runs' scratch folders in the remote's temp dir (the remote is this machine; its TMPDIR is unset). */
const scratchFolders = () => readdirSync('/tmp').filter((name) => name.startsWith(SCRATCH_PREFIX));

/** `earned/possible` of each exercise, as a local `tp7 check` of that workdir on the same engine gives it. */
async function localScores(workdir: string): Promise<Record<string, string>> {
  const { json } = await tp7Json(['check', ...EXERCISES], { workdir });
  const exercises = json.exercises as Array<{ id: string; earned: number; possible: number }>;
  return Object.fromEntries(exercises.map((exercise) => [exercise.id, `${exercise.earned}/${exercise.possible}`]));
}

describe('tp7 grade on a mixed roster: ssh, unix, a dead ssh host', () => {
  const workdirs = { sam: '', una: '' };
  const expected: Record<string, Record<string, string>> = {};
  let engineBefore: string[] = [];
  let treesBefore: Record<string, string[]> = {};
  let scratchBefore: string[] = [];
  let run: Run;

  beforeAll(async () => {
    if (!sshDir) throw new Error('TP7_TEST_SSH_DIR is not set: run through scripts/test.sh (it starts the test sshd)');
    workdirs.sam = newWorkdir();
    workdirs.una = newWorkdir();
    // sam solved ex1 and ex6 on the engine his ssh remote's docker reaches; una only wrote a note.
    await runSolution('ex1', workdirs.sam);
    await runSolution('ex6', workdirs.sam);
    writeFileSync(join(workdirs.una, 'notes.txt'), 'rien fait\n');
    // The reference: what `tp7 check` on each machine itself says (before the snapshots: check keeps progress).
    expected.sam = await localScores(workdirs.sam);
    expected.una = await localScores(workdirs.una);

    const dead = await freePort();
    const roster = join(tempDir('roster-'), 'roster.csv');
    writeFileSync(
      roster,
      [
        'student,engine,workdir',
        `sam,ssh://root@127.0.0.1:${sshPort()},${workdirs.sam}`,
        `noa,ssh://tp7-nosftp,${workdirs.sam}`,
        `una,${process.env.DOCKER_HOST},${workdirs.una}`,
        `zed,ssh://root@127.0.0.1:${dead},/home/zed`,
        '',
      ].join('\n'),
    );
    engineBefore = await engineSnapshot();
    treesBefore = { sam: tree(workdirs.sam), una: tree(workdirs.una) };
    scratchBefore = scratchFolders();
    run = await tp7(['grade', roster, ...EXERCISES, '--csv'], { env: sshEnv() });
  }, 600_000);

  const table = () => {
    const [header, ...rows] = run.stdout.trim().split('\n');
    const columns = header!.split(',');
    const cell = (student: string, column: string) => rows.find((row) => row.startsWith(`${student},`))!.split(',')[columns.indexOf(column)];
    return { rows, cell };
  };

  it('makes one row per student; the dead host is its own row with a one-line reason, exit 4', () => {
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(4);
    const { rows, cell } = table();
    expect(rows.map((row) => row.split(',')[0])).toEqual(['sam', 'noa', 'una', 'zed']);
    expect(cell('sam', 'status')).toBe('graded');
    expect(cell('noa', 'status')).toBe('graded');
    expect(cell('una', 'status')).toBe('graded');
    expect(cell('zed', 'status')).toBe('error');
    expect(cell('zed', 'percent')).toBe('');
    const reason = rows.find((row) => row.startsWith('zed,'))!;
    expect(reason).toMatch(/Connection refused/);
    expect(reason).not.toMatch(/\n|\s+at |node:/);
  });

  // ex6's checks are recorded runs of the student's scripts: over ssh they run on the remote, and must judge them
  // exactly as a local check does (they once did not: each remote command paid the remote login shell's rc files,
  // and the runs outlived their time limit; see src/ssh/script-host.ts).
  it('scores the ssh student as a local tp7 check of the same workdir does', () => {
    const { cell } = table();
    expected.noa = expected.sam!;
    for (const student of ['sam', 'noa', 'una'] as const) {
      for (const exercise of EXERCISES) expect({ student, exercise, score: cell(student, exercise) }).toEqual({ student, exercise, score: expected[student]![exercise] });
    }
    // The reference solutions earn every point.
    for (const exercise of EXERCISES) {
      const [earned, possible] = cell('sam', exercise)!.split('/').map(Number);
      expect(earned).toBe(possible);
    }
  });

  it('changes nothing on the engine nor in any workdir, and leaves no scratch folder on the remote', async () => {
    expect(await engineSnapshot()).toEqual(engineBefore);
    expect(tree(workdirs.sam)).toEqual(treesBefore.sam);
    expect(tree(workdirs.una)).toEqual(treesBefore.una);
    // A folder of a run of another process on this machine goes with its run: wait, then look again.
    const left = () => scratchFolders().filter((name) => !scratchBefore.includes(name));
    if (left().length) await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(left().filter((name) => existsSync(join('/tmp', name)))).toEqual([]);
  });
});

/** A folder first on the grader's PATH whose bash, sh, docker and git log each call: the remote's PATH is sshd's. */
function trapPath(): { dir: string; calls: () => string } {
  const dir = tempDir('trap-');
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  for (const tool of ['bash', 'sh', 'docker', 'git']) {
    const real = execSync(`command -v ${tool}`, { shell: '/bin/sh' }).toString().trim();
    writeFileSync(join(dir, tool), `#!/bin/dash\nprintf '%s %s\\n' "${tool}" "$*" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  }
  return { dir, calls: () => readFileSync(log, 'utf8') };
}

// Issue 19, part 3: the grader reads what each student's machine serves, and trusts none of it. Over ssh, a
// workdir of FIFOs, links out of it and huge sparse files; on a unix socket, engines that answer endlessly or a
// byte at a time. Each is its own row, with one line, within the grading limit; the honest student is graded, and
// nothing of a student's runs on the grader's machine (its bash, sh, docker and git are watched).
describe('tp7 grade trusts no student machine', () => {
  const GRADE_LIMIT_MS = 40_000;
  let run: Run;
  let elapsed = 0;
  let trap: ReturnType<typeof trapPath>;
  const engines: Array<{ close(): void }> = [];

  beforeAll(async () => {
    const pipes = newWorkdir();
    execSync(`mkfifo ${join(pipes, 'nginx-save.tar')}`);
    symlinkSync('/etc/shadow', join(pipes, 'nginx-alpine.tar.gz'));
    symlinkSync('/dev/zero', join(pipes, 'container-export.tar'));
    symlinkSync('/', join(pipes, 'docker-backups'));
    writeFileSync(join(pipes, 'nginx-alpine.tar.xz'), '');
    truncateSync(join(pipes, 'nginx-alpine.tar.xz'), 50e9);
    writeFileSync(join(pipes, 'nginx-alpine.tar.bz2'), tarHeader(`blobs/sha256/${'a'.repeat(64)}`, 49e9));
    truncateSync(join(pipes, 'nginx-alpine.tar.bz2'), 50e9);
    writeFileSync(join(pipes, 'backup-images.sh'), '#!/bin/bash\ndocker images -q; docker save nginx:alpine | gzip > x_1.tar.gz\n');
    const fifo = newWorkdir();
    mkdirSync(join(fifo, '.tp7'));
    execSync(`mkfifo ${join(fifo, '.tp7/progress.json')}`);
    const honest = newWorkdir();
    writeFileSync(join(honest, 'notes.txt'), 'rien fait\n');

    const endless = await standInEngine(forever(Buffer.alloc(1 << 22, 0x20), 1));
    const drip = await standInEngine(forever(Buffer.from(' '), 200));
    engines.push(endless, drip);
    const roster = join(tempDir('roster-'), 'roster.csv');
    const ssh = `ssh://root@127.0.0.1:${sshPort()}`;
    writeFileSync(roster, ['student,engine,workdir', `pia,${ssh},${pipes}`, `fio,${ssh},${fifo}`, `eli,${endless.host},${honest}`, `dri,${drip.host},${honest}`, `una,${process.env.DOCKER_HOST},${honest}`, ''].join('\n'));
    trap = trapPath();
    const started = Date.now();
    run = await tp7(['grade', roster, 'ex3', '--json'], { env: { ...sshEnv(), PATH: `${trap.dir}:${sshEnv().PATH}`, TP7_GRADE_TIMEOUT_MS: String(GRADE_LIMIT_MS), TP7_ENGINE_TIMEOUT_MS: '8000', TP7_CHECK_TIMEOUT_MS: '20000' } });
    elapsed = Date.now() - started;
  }, 300_000);
  afterAll(() => engines.forEach((engine) => engine.close()));

  const rows = () => JSON.parse(run.stdout).students as Array<{ student: string; status: string; error?: { en: string } | string; report?: { exercises: Array<{ checks: Array<{ id: string; status: string; message: string }> }> } }>;
  const reason = (row: { error?: { en: string } | string }) => (typeof row.error === 'string' ? row.error : row.error?.en ?? '');

  it('ends within the grading limit, one row per student, the honest one graded', () => {
    expect(elapsed).toBeLessThan(GRADE_LIMIT_MS + 5000);
    expect(rows().map((row) => [row.student, row.status, row.status === 'graded' ? '' : reason(row)])).toEqual([
      ['pia', 'graded', ''],
      ['fio', 'error', expect.any(String)],
      ['eli', 'error', expect.any(String)],
      ['dri', 'error', expect.any(String)],
      ['una', 'graded', ''],
    ]);
  });

  it('gives each hostile machine its own one-line reason', () => {
    const byStudent = Object.fromEntries(rows().map((row) => [row.student, reason(row)]));
    expect(byStudent.fio).toBe('.tp7/progress.json is not a regular file');
    expect(byStudent.eli).toMatch(/^engine unreachable \(an answer of more than 64 MiB\)$/);
    expect(byStudent.dri).toMatch(/^engine unreachable \(no complete answer within 8 s\)$/);
  });

  it('judges the FIFO, the links out and the huge files of a workdir read over SFTP, each in one line', () => {
    const pia = rows().find((row) => row.student === 'pia')!;
    const checks = Object.fromEntries(pia.report!.exercises[0]!.checks.map((check) => [check.id, check]));
    // A link out of the workdir is refused before anything is read: the check could not be made (error), as locally.
    const expected = { 'save-nginx': 'fail', 'export-container': 'error', 'save-gzip': 'error', 'save-bzip2': 'fail', 'save-xz': 'fail', 'backup-script': 'error' };
    for (const [id, status] of Object.entries(expected)) {
      expect([id, checks[id]!.status]).toEqual([id, status]);
      expect(checks[id]!.message).not.toContain('\n');
    }
    expect(checks['save-nginx']!.message).toContain('nginx-save.tar is not a file');
    expect(checks['save-gzip']!.message).toContain('nginx-alpine.tar.gz is outside the working directory');
    expect(checks['export-container']!.message).toContain('container-export.tar is outside the working directory');
    expect(checks['backup-script']!.message).toContain('docker-backups is outside the working directory');
    expect(checks['save-xz']!.message).toContain('By its content, nginx-alpine.tar.xz is an uncompressed tar');
    expect(checks['save-bzip2']!.message).toContain('By its content, nginx-alpine.tar.bz2 is an uncompressed tar');
  });

  it("runs nothing of a student's on the grader's machine", () => {
    expect(trap.calls()).not.toMatch(/backup-images\.sh|cleanup|compare|\.sh\b/);
  });
});
