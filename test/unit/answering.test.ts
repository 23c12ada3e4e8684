import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/cli/context.js';
import { protectFreeText } from '../../src/cli/main.js';
import { commandOptions, findCommand } from '../../src/cli/commands.js';
import { clientsFor, recordAnswer, verdictText } from '../../src/commands/answering.js';
import { validateLab } from '../../src/lab/validate.js';
import { loadProgress } from '../../src/progress/store.js';
import { tempDir } from '../tmp.js';

const answerSpec = findCommand('answer')!;
const options = commandOptions(answerSpec);
const protect = (argv: string[]) => protectFreeText(argv, options, answerSpec.textFrom!);

describe('tp7 answer: an answer may contain dashes', () => {
  it.each([
    [['answer', 'ex1', 'default-command', 'nginx', '-g', 'daemon off;'], ['answer', 'ex1', 'default-command', '--', 'nginx', '-g', 'daemon off;']],
    // tp7's own options keep their meaning, before or after the answer.
    [['answer', '--workdir', '/w', 'ex1', 'q', 'nginx', '-g', 'x', '--json'], ['answer', '--workdir', '/w', 'ex1', 'q', '--json', '--', 'nginx', '-g', 'x']],
    [['--json', 'answer', 'ex1', 'q', '-1'], ['--json', 'answer', 'ex1', 'q', '--', '-1']],
    // Already written after --: unchanged.
    [['answer', 'ex1', 'q', '--', '-g'], ['answer', 'ex1', 'q', '--', '-g']],
    // Before the answer begins, an unknown option stays one (parseArgs reports it).
    [['answer', '-g', 'ex1', 'q', 'x'], ['answer', '-g', 'ex1', 'q', '--', 'x']],
    [['answer', 'ex1', 'q', 'b'], ['answer', 'ex1', 'q', '--', 'b']],
  ])('%j → %j', (argv, expected) => {
    expect(protect(argv)).toEqual(expected);
  });
});

describe('answer history', () => {
  const lab = validateLab(join(import.meta.dirname, '../../labs'));
  const exercise = lab.exercises.find((loaded) => loaded.exercise.id === 'ex1')!.exercise;
  const question = exercise.questions.find((candidate) => candidate.id === 'latest-vs-stable')!;
  const context = (workdir: string): CommandContext => ({
    args: [], options: {}, lang: 'en', workdir, registry: 'localhost:5000', json: false, interactive: false, out: () => undefined, err: () => undefined,
  });

  it('keeps every earlier answer, and says when a wrong answer replaces a right one', async () => {
    const workdir = tempDir('answers-');
    const ctx = context(workdir);
    const clients = await clientsFor(ctx, [question]);
    expect((await recordAnswer(ctx, exercise, question, 'b', clients)).outcome.status).toBe('pass');
    const wrong = await recordAnswer(ctx, exercise, question, 'a', clients);
    expect(wrong.outcome.status).toBe('fail');
    expect(wrong.replacedRight).toBe('b');
    expect(await verdictText(ctx, question, wrong, clients)).toBe(
      'Wrong answer.\nNote: your previous answer ("b") was right. The last answer is the one that counts; the earlier one stays in the history (.tp7/progress.json). To restore it: tp7 answer ex1 latest-vs-stable -- b',
    );
    // A wrong answer after a wrong one: nothing to warn about.
    expect((await recordAnswer(ctx, exercise, question, 'c', clients)).note).toBeUndefined();
    const stored = loadProgress(workdir).progress.answers['ex1']!['latest-vs-stable']!;
    expect(stored).toMatchObject({ answer: 'c', status: 'fail' });
    expect(stored.history!.map((earlier) => [earlier.answer, earlier.status])).toEqual([['b', 'pass'], ['a', 'fail']]);
  });
});
