import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../../cli/context.js';
import { both, pick, type Lang, type LocalizedText } from '../../lab/lang.js';
import { readJoinedBoard } from '../../submit/board-file.js';
import { listQueued, outboxDir } from '../../submit/outbox.js';
import { runningSender, startSender } from '../../submit/queue.js';
import { readStatus } from '../../submit/status.js';
import { showControlsInline } from '../../ui/escape.js';
import { printJson } from '../shared.js';

// `tp7 submit [--status]`: what waits for the board, what was last sent, what last went wrong. Without --status it
// also starts the background sender when reports wait and none runs (after a sender gave up on a board down).

function when(iso: string | undefined, lang: Lang): string {
  const date = iso ? new Date(iso) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB') : '?';
}

function refusedCount(workdir: string): number {
  try {
    return readdirSync(join(outboxDir(workdir), 'refused')).length;
  } catch {
    return 0;
  }
}

export async function run(context: CommandContext): Promise<number> {
  const { workdir, lang } = context;
  const board = readJoinedBoard(workdir);
  const queued = listQueued(workdir);
  const status = readStatus(workdir);
  const started = !context.options.status && queued.length > 0 && startSender(workdir);
  const sender = runningSender(workdir);
  const refused = refusedCount(workdir);
  if (context.json) {
    printJson(context, {
      board: board ? { url: board.url, student: board.name, joinedAt: board.joinedAt } : null,
      queued: queued.map(({ item }) => ({ url: item.url, student: item.student, queuedAt: item.queuedAt, generatedAt: item.generatedAt })),
      lastSent: status.lastSent ?? null,
      lastError: status.lastError ? { ...status.lastError, what: pick(status.lastError.what, lang) } : null,
      sender: { running: sender !== undefined, ...(sender !== undefined ? { pid: sender } : {}) },
      refused,
    });
    return 0;
  }
  const say = (text: LocalizedText) => context.out(showControlsInline(pick(text, lang)));
  if (board) say(both(`Tableau : ${board.url}, sous le nom « ${board.name} » (rejoint le ${when(board.joinedAt, lang)})`, `Board: ${board.url}, as "${board.name}" (joined ${when(board.joinedAt, lang)})`));
  else say(both('Tableau : aucun ; rejoignez celui de la classe avec `tp7 join URL`', 'Board: none; join the class board with `tp7 join URL`'));
  if (queued.length) {
    const oldest = when(queued[0]!.item.queuedAt, lang);
    say(both(`En attente : ${queued.length} rapport(s), le plus ancien mis en attente le ${oldest}`, `Queued: ${queued.length} report(s), the oldest queued ${oldest}`));
  } else say(both('En attente : rien', 'Queued: nothing'));
  const sent = status.lastSent;
  if (sent) say(both(`Dernier envoi : le ${when(sent.at, lang)} à ${sent.url} (rapport du ${when(sent.generatedAt, lang)}, n° ${sent.sequence})`, `Last sent: ${when(sent.at, lang)} to ${sent.url} (report of ${when(sent.generatedAt, lang)}, number ${sent.sequence})`));
  else say(both('Dernier envoi : aucun', 'Last sent: none'));
  const error = status.lastError;
  if (error) {
    const retry = error.retryAt ? both(` ; nouvel essai vers ${when(error.retryAt, lang)}`, `; next try around ${when(error.retryAt, lang)}`) : both('', '');
    say(both(`Dernière erreur (${when(error.at, lang)}) : ${error.what.fr}${retry.fr}`, `Last error (${when(error.at, lang)}): ${error.what.en}${retry.en}`));
  }
  if (refused) say(both(`Refusés par le tableau, gardés à part : ${refused} (.tp7/outbox/refused/)`, `Refused by the board, kept aside: ${refused} (.tp7/outbox/refused/)`));
  if (started) say(both('Envoi relancé en arrière-plan.', 'Sending again in the background.'));
  else if (sender !== undefined) say(both(`Envoi en arrière-plan : en cours (processus ${sender})`, `Background sender: running (process ${sender})`));
  return 0;
}
