import { oneLine, oneLineText, Tp7Error } from '../../errors.js';
import { both, type LocalizedText } from '../../lab/lang.js';

/**
 * The line `tp7 watch` prints when a round of checks fails as a whole (the engine restarting, most often) and it
 * keeps watching. An error that carries its own pair keeps it; anything else (a library's English words) is
 * quoted inside a sentence of the run's language.
 */
export function roundFailure(error: unknown): LocalizedText {
  if (error instanceof Tp7Error || (error as { text?: unknown } | null)?.text) return oneLineText(error);
  const raw = oneLine(error);
  return both(
    `ce tour de vérification a échoué (« ${raw} ») ; la surveillance continue et réessaiera au prochain changement`,
    `this round of checks failed ("${raw}"); still watching, it tries again at the next change`,
  );
}
