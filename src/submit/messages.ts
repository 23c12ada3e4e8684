import { both, type LocalizedText } from '../lab/lang.js';
import type { NotABoard, Refused, Unreachable } from './board-client.js';

// What the board's answers mean to a student, in both languages: `tp7 join` prints them as its errors, the
// background sender records them for `tp7 submit --status`.

export function unreachableText(url: string, outcome: Unreachable): LocalizedText {
  if (outcome.reason === 'refused') return both(`tableau injoignable à ${url} (connexion refusée : le serveur est-il lancé ?)`, `board unreachable at ${url} (connection refused: is the server running?)`);
  if (outcome.reason === 'timeout') return both(`le tableau ${url} n'a pas répondu en ${outcome.detail}`, `the board at ${url} did not answer within ${outcome.detail}`);
  return both(`tableau injoignable à ${url} (${outcome.detail})`, `board unreachable at ${url} (${outcome.detail})`);
}

export function notABoardText(url: string, outcome: NotABoard): LocalizedText {
  return both(
    `${url} n'est pas un tableau tp7 (HTTP ${outcome.status}) ; vérifiez l'adresse que l'enseignant a donnée (celle de \`tp7 serve\`)`,
    `${url} is not a tp7 board (HTTP ${outcome.status}); check the address the instructor gave (the one \`tp7 serve\` printed)`,
  );
}

/** The board's refusal in its own words when it gave them, else its code. */
export function refusedText(outcome: Refused): LocalizedText {
  const problems = outcome.problems.length ? ` (${outcome.problems.slice(0, 3).join(' ; ')})` : '';
  const said = outcome.message ?? both(`refus « ${outcome.error} »`, `refused "${outcome.error}"`);
  return both(`HTTP ${outcome.status} : ${said.fr}${problems}`, `HTTP ${outcome.status}: ${said.en}${problems}`);
}

export function tokenRefusedText(url: string, outcome: Refused): LocalizedText {
  const said = refusedText(outcome);
  return both(
    `${said.fr} ; le tableau ne reconnaît plus votre jeton : rejoignez-le de nouveau avec \`tp7 join ${url}\` (vos rapports restent en attente)`,
    `${said.en}; the board no longer knows your token: join it again with \`tp7 join ${url}\` (your reports stay queued)`,
  );
}

export const STALE_TEXT = both(
  'le tableau a déjà un rapport plus récent de votre part : celui-ci est abandonné',
  'the board already has a newer report of yours: this one was dropped',
);

export function notJoinedText(url: string): LocalizedText {
  return both(
    `rapport en attente pour ${url}, mais ce dossier n'a pas (ou plus) rejoint ce tableau : \`tp7 join ${url}\``,
    `report queued for ${url}, but this folder has not joined that board (or left it): \`tp7 join ${url}\``,
  );
}

export function serverFailureText(url: string, status: number, tries: number): LocalizedText {
  return both(
    `le tableau ${url} a échoué ${tries} fois sur ce rapport (HTTP ${status}) : gardé dans .tp7/outbox/refused/, il ne sera plus envoyé ; le prochain \`tp7 check --submit\` envoie un nouveau rapport`,
    `the board at ${url} failed ${tries} times on this report (HTTP ${status}): kept in .tp7/outbox/refused/, it will not be sent again; the next \`tp7 check --submit\` sends a new one`,
  );
}

export function tooLargeText(bytes: number): LocalizedText {
  const size = (bytes / (1024 * 1024)).toFixed(1);
  return both(
    `rapport de ${size} Mio, plus gros que ce qu'un tableau accepte (1 Mio) : gardé dans .tp7/outbox/refused/, non envoyé`,
    `report of ${size} MiB, larger than a board takes (1 MiB): kept in .tp7/outbox/refused/, not sent`,
  );
}
