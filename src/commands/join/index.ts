import type { CommandContext } from '../../cli/context.js';
import { UsageError } from '../../errors.js';
import { both, pick } from '../../lab/lang.js';
import { boardOrigin } from '../../submit/board-file.js';
import { queuedFor, startSender } from '../../submit/queue.js';
import { showControlsInline } from '../../ui/escape.js';
import { input } from '../../ui/prompt.js';
import { joinClassBoard } from '../joining.js';
import { BOARD_ADDRESS } from '../submitting.js';
import { printJson } from '../shared.js';

/** `tp7 join URL [--name NAME] [--code CODE]`: joins the class board and keeps the token in `.tp7/board.json`. */
export async function run(context: CommandContext): Promise<number> {
  const typed = context.args[0] ?? (context.interactive && !context.json ? await input(pick(BOARD_ADDRESS, context.lang)) : undefined);
  if (!typed) throw new UsageError(both('usage : tp7 join <url>', 'usage: tp7 join <url>'));
  const url = boardOrigin(typed);
  const option = (name: string) => (typeof context.options[name] === 'string' ? String(context.options[name]) : undefined);
  const board = await joinClassBoard(context, url, { name: option('name'), code: option('code') });
  // Reports that waited for this board (a token the instructor released, now renewed) go now.
  if (queuedFor(context.workdir, url)) startSender(context.workdir);
  if (context.json) {
    printJson(context, { url: board.url, student: board.name, joinedAt: board.joinedAt });
    return 0;
  }
  const name = showControlsInline(board.name);
  context.out(pick(both(
    `Tableau ${board.url} rejoint sous le nom « ${name} ». Envoyez vos vérifications avec \`tp7 check --submit\` (ou \`tp7 watch <ex> --submit\`).`,
    `Joined the board at ${board.url} as "${name}". Send your checks with \`tp7 check --submit\` (or \`tp7 watch <ex> --submit\`).`,
  ), context.lang));
  return 0;
}
