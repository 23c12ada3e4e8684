// Real git in the scratch folders of recorded runs (exercise 9's release script makes a git tag) and reads of the
// student's own repository. The user's git configuration is left out (signing, hooks, aliases), and a fixed
// identity lets `git commit` and `git tag -a` work on a machine where none is configured. The runner is the
// recorded run's ScriptHost (a ProcessRunner too), so git runs on the machine of the student's files.
import type { ProcessRunner } from '../processes/types.js';

export const GIT_ENV: Record<string, string> = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'tp7 check',
  GIT_AUTHOR_EMAIL: 'tp7@example.invalid',
  GIT_COMMITTER_NAME: 'tp7 check',
  GIT_COMMITTER_EMAIL: 'tp7@example.invalid',
  GIT_TERMINAL_PROMPT: '0',
};

const TIMEOUT_MS = 10_000;

async function git(runner: ProcessRunner, dir: string, args: string[]): Promise<string> {
  const result = await runner.run('git', args, { cwd: dir, timeoutMs: TIMEOUT_MS, env: GIT_ENV });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  return result.stdout;
}

/** A repository holding what is in `dir`, one commit, and annotated tags of earlier releases. */
export async function initScratchRepository(runner: ProcessRunner, dir: string, tags: string[] = []): Promise<void> {
  await git(runner, dir, ['init', '-q']);
  await git(runner, dir, ['add', '-A']);
  await git(runner, dir, ['commit', '-q', '--allow-empty', '-m', 'tp7 scratch repository']);
  for (const tag of tags) await git(runner, dir, ['tag', '-a', tag, '-m', `Release ${tag}`]);
}

export type GitTagKind = 'annotated' | 'lightweight' | 'missing' | 'no-repository';

/** Whether `tag` exists in the repository at `dir`, and as which kind of tag (an annotated one is a tag object). */
export async function gitTagKind(runner: ProcessRunner, dir: string, tag: string): Promise<GitTagKind> {
  const inside = await runner.run('git', ['rev-parse', '--git-dir'], { cwd: dir, timeoutMs: TIMEOUT_MS, env: GIT_ENV });
  if (inside.exitCode !== 0) return 'no-repository';
  const type = (await git(runner, dir, ['for-each-ref', '--format=%(objecttype)', `refs/tags/${tag}`])).trim();
  if (type === 'tag') return 'annotated';
  return type ? 'lightweight' : 'missing';
}
