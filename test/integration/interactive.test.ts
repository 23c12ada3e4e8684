import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupExercise, newWorkdir, runSolution, TP7_BIN } from './harness.js';

// Drives `tp7` in a real terminal (tmux): pick ex1, answer a question, run the checks, leave.
const SESSION = `tp7-test-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-S', '-200', '-t', SESSION);
}

async function waitFor(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const shown = screen();
    if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return shown;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${text}; screen:\n${shown}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const keys = (...names: string[]) => tmux('send-keys', '-t', SESSION, ...names);

describe('interactive menu in a terminal', () => {
  const workdir = newWorkdir();
  beforeAll(async () => {
    // The images are there (as after the student's pulls), but no question is answered yet.
    await runSolution('ex1', newWorkdir());
    const command = `cd ${workdir} && TP7_LANG=en NO_COLOR=1 DOCKER_HOST=${process.env.DOCKER_HOST} node ${TP7_BIN}; echo "EXITED $?"; sleep 30`;
    tmux('new-session', '-d', '-s', SESSION, '-x', '120', '-y', '50', command);
  });
  afterAll(async () => {
    tmux('kill-session', '-t', SESSION);
    await cleanupExercise('ex1');
  });

  it('picks ex1, answers a question and runs the checks', async () => {
    await waitFor('Pick an exercise');
    keys('Enter'); // ex1 is first
    await waitFor('Read the instructions');
    keys('Down', 'Enter'); // "Answer the questions"
    await waitFor('share an IMAGE ID?');
    keys('-l', 'yes');
    keys('Enter');
    await waitFor('Right answer.');
    await waitFor('difference between the latest and stable tags');
    keys('C-c'); // leave the quiz: back to the exercise menu
    await waitFor(/Run the checks/);
    keys('Down', 'Down'); // the menu remembers nothing: "Run the checks" is third
    keys('Enter');
    const shown = await waitFor(/Score: \d+\/\d+/);
    expect(shown).toMatch(/✔ \[1\.1\] nginx:alpine is on the engine/);
    expect(shown).toMatch(/✔ \[1\.1\] On your machine, do some of your nginx tags/);
    expect(shown).toMatch(/✘ \[1\.1\] What is the difference between the latest and stable tags/);
    await waitFor('Back');
    keys('Up', 'Enter'); // Back
    await waitFor('Pick an exercise');
    keys('Up', 'Enter'); // Quit (last entry)
    await waitFor('EXITED 0');
  });
});
