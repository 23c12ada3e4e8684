// What the benchmarks share: the exercises in course order, the reference solutions run the way the
// integration tests run them (test/integration/harness.ts runSolution), and a median.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');
export const EXERCISES = ['ex1', 'ex2', 'ex3', 'ex4', 'ex5', 'ex6', 'ex7', 'ex8', 'ex9'];

export const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

/** The nine reference solutions in course order, in one workdir; `cacheDir()` gives each a user cache of its own. */
export function solveCourse(workdir, tp7, cacheDir) {
  for (const exercise of EXERCISES) {
    execFileSync(join(ROOT, 'solutions', exercise, 'solve.sh'), [], {
      cwd: workdir,
      env: { ...process.env, TP7: `node ${tp7}`, TP7_WORKDIR: workdir, TP7_LANG: 'en', NO_COLOR: '1', XDG_CACHE_HOME: cacheDir() },
      stdio: 'ignore',
    });
  }
}
