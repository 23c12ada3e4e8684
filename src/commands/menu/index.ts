import { findCommand } from '../../cli/commands.js';
import type { CommandContext } from '../../cli/context.js';
import { Tp7Error, UsageError } from '../../errors.js';
import { loadLab, type LoadedExercise } from '../../lab/loader.js';
import { both, pick } from '../../lab/text.js';
import { renderMarkdown } from '../../ui/markdown.js';
import { select } from '../../ui/prompt.js';
import { style } from '../../ui/style.js';
import { instructions, readProgress } from '../shared.js';
import { readJoinedBoard } from '../../submit/board-file.js';
import { showControlsInline } from '../../ui/escape.js';

const LABELS = {
  fr: { join: 'Rejoindre le tableau de la classe', submit: 'Tout vérifier et envoyer au tableau', pick: 'Choisissez un exercice', quit: 'Quitter', read: 'Lire les consignes', quiz: 'Répondre aux questions', check: 'Lancer les vérifications', hint: 'Un indice', back: 'Retour' },
  en: { join: 'Join the class board', submit: 'Check everything and send it to the board', pick: 'Pick an exercise', quit: 'Quit', read: 'Read the instructions', quiz: 'Answer the questions', check: 'Run the checks', hint: 'Get a hint', back: 'Back' },
};

/** Ctrl+C inside a prompt rejects with an empty value: inside the menu it means "back", not "quit". */
function isCancel(error: unknown): boolean {
  return error === '' || error === undefined;
}

/** Runs another command's module inside the menu, with the same options; its exit code is not the menu's. */
async function runCommand(context: CommandContext, name: string, args: string[], options: CommandContext['options'] = {}): Promise<void> {
  // Through the one command table: its loaders are what a bundler (scripts/bundle.mjs) can follow.
  const module = await findCommand(name)!.load();
  try {
    await module.run({ ...context, args, options: { ...context.options, ...options } });
  } catch (error) {
    if (isCancel(error)) return;
    // An engine that is down, a bad answer format...: say it in one line and stay in the menu.
    if (error instanceof Tp7Error) context.err(style.red(`tp7: ${pick(error.text, context.lang)}`));
    else throw error;
  }
}

async function exerciseMenu(context: CommandContext, loaded: LoadedExercise): Promise<void> {
  const words = LABELS[context.lang];
  const id = loaded.exercise.id;
  for (;;) {
    const action = await select(`${id} · ${pick(loaded.exercise.title, context.lang)}`, [
      { name: 'read', message: words.read },
      { name: 'quiz', message: words.quiz },
      { name: 'check', message: words.check },
      { name: 'hint', message: words.hint },
      { name: 'back', message: words.back },
    ]);
    if (action === 'back') return;
    if (action === 'read') context.out(await renderMarkdown(await instructions(loaded.dir, context.lang)));
    // Once the folder joined a class board, the menu's checks go to it too (queued, never waiting for it).
    else await runCommand(context, action, [id], action === 'check' && readJoinedBoard(context.workdir) ? { submit: '' } : {});
  }
}

export async function run(context: CommandContext): Promise<number> {
  if (!context.interactive) throw new UsageError(both("le menu a besoin d'un terminal ; les commandes : `tp7 --help`", 'the menu needs a terminal; see `tp7 --help` for the commands'));
  const lab = await loadLab();
  const words = LABELS[context.lang];
  context.out(style.bold('TP7 — Gestion avancée des images Docker'));
  for (;;) {
    const runs = readProgress(context).runs;
    const status = (id: string) => {
      const last = runs.findLast((run) => run.exercise === id);
      if (!last) return '';
      return style.dim(`  ${last.earned}/${last.possible}${last.earned === last.possible ? ' ✔' : ''}`);
    };
    const board = readJoinedBoard(context.workdir);
    const choice = await select(words.pick, [
      ...lab.exercises.map(({ exercise }) => ({ name: exercise.id, message: `${exercise.id.padEnd(4)} ${pick(exercise.title, context.lang)}${status(exercise.id)}` })),
      board ? { name: 'submit', message: `${words.submit}${style.dim(`  ${showControlsInline(board.url)}`)}` } : { name: 'join', message: words.join },
      { name: 'quit', message: words.quit },
    ]);
    if (choice === 'quit') return 0;
    if (choice === 'join') await runCommand(context, 'join', []);
    else if (choice === 'submit') await runCommand(context, 'check', [], { submit: '' });
    else await exerciseMenu(context, lab.exercises.find(({ exercise }) => exercise.id === choice)!);
  }
}
