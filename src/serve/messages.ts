import { both, type LocalizedText } from '../lab/lang.js';

// Every refusal of the board's API: an HTTP status, a code the student side acts on, and a sentence in both
// languages (the student's tp7 shows the one of its run). Body: {"error", "message": {"fr", "en"}, "problems"?}.

export const REFUSALS = {
  'invalid': { status: 400, message: both('requête invalide', 'invalid request') },
  'bad-code': { status: 403, message: both('code de classe incorrect : demandez-le à votre enseignant', 'wrong class code: ask your instructor for it') },
  'name-taken': { status: 409, message: both("ce nom est déjà pris dans la classe : choisissez-en un autre, ou demandez à l'enseignant de le libérer", 'this name is already taken in the class: choose another, or ask the instructor to release it') },
  'no-token': { status: 401, message: both("aucun jeton : rejoignez d'abord la classe avec `tp7 join`", 'no token: join the class first with `tp7 join`') },
  'bad-token': { status: 401, message: both('jeton inconnu ou libéré : rejoignez la classe à nouveau avec `tp7 join`', 'unknown or released token: join the class again with `tp7 join`') },
  'wrong-student': { status: 403, message: both("ce rapport est au nom d'un autre étudiant que celui de votre jeton", 'this report names another student than the one your token belongs to') },
  'too-large': { status: 413, message: both('requête trop volumineuse (1 Mio au plus)', 'request too large (1 MiB at most)') },
  'class-full': { status: 403, message: both("la classe est complète : l'enseignant peut libérer des noms, ou relancer `tp7 serve` avec un --max-students plus grand", 'the class is full: the instructor can release names, or start `tp7 serve` again with a larger --max-students') },
  'too-many-connections': { status: 429, message: both('trop de connexions ouvertes depuis votre adresse : réessayez dans quelques secondes', 'too many open connections from your address: try again in a few seconds') },
  'rate-limited': { status: 429, message: both('trop de requêtes : réessayez dans quelques secondes', 'too many requests: try again in a few seconds') },
  'stale': { status: 409, message: both('rapport plus ancien que le dernier reçu : ignoré', 'report older than the last one received: ignored') },
  'unauthorized': { status: 401, message: both("clé d'enseignant absente ou fausse : ouvrez l'adresse du tableau que `tp7 serve` affiche", 'missing or wrong instructor key: open the board address that `tp7 serve` prints') },
  'not-found': { status: 404, message: both('introuvable', 'not found') },
  'unsupported-media-type': { status: 415, message: both('envoyez du JSON (Content-Type: application/json)', 'send JSON (Content-Type: application/json)') },
  'internal': { status: 500, message: both('erreur interne du serveur du tableau', 'internal error of the board server') },
} as const satisfies Record<string, { status: number; message: LocalizedText }>;

export type RefusalCode = keyof typeof REFUSALS;

export interface RefusalBody {
  error: RefusalCode;
  message: LocalizedText;
  problems?: string[];
}

export function refusal(code: RefusalCode, problems?: string[], message?: LocalizedText): RefusalBody {
  return { error: code, message: message ?? REFUSALS[code].message, ...(problems ? { problems } : {}) };
}
