import { both } from './lab/lang.js';
// Every numeric setting read from the environment, validated in one place, once: a typo such as
// TP7_CHECK_TIMEOUT_MS=30s is a one-line usage error naming the variable (exit 2), never a NaN deep inside.
import { UsageError } from './errors.js';

/** The numeric settings, their defaults and what a value means (for the error message). */
const NUMERIC = {
  TP7_ENGINE_TIMEOUT_MS: { default: 15_000, unit: 'milliseconds' },
  TP7_REGISTRY_TIMEOUT_MS: { default: 10_000, unit: 'milliseconds' },
  TP7_DOCKER_HUB_TIMEOUT_MS: { default: 5_000, unit: 'milliseconds' },
  TP7_CHECK_TIMEOUT_MS: { default: 30_000, unit: 'milliseconds' },
  TP7_WATCH_POLL_MS: { default: 10_000, unit: 'milliseconds' },
  /** tp7 grade: one student's whole grading (connection, every exercise); beyond it, that row is an error. */
  TP7_GRADE_TIMEOUT_MS: { default: 300_000, unit: 'milliseconds' },
  /** One request to the classroom board (tp7 join, each try of the background sender). */
  TP7_BOARD_TIMEOUT_MS: { default: 10_000, unit: 'milliseconds' },
  /** How long the background sender keeps retrying a board that is down before leaving the rest queued. */
  TP7_SUBMIT_RETRY_FOR_MS: { default: 600_000, unit: 'milliseconds' },
  /** The sender's first wait after a failure (doubled at each further one, up to a minute). */
  TP7_SUBMIT_BACKOFF_MS: { default: 1_000, unit: 'milliseconds' },
  /** tp7 serve: the longest a request may take to arrive, headers and body (a slow-loris client is cut then). */
  TP7_SERVE_REQUEST_TIMEOUT_MS: { default: 30_000, unit: 'milliseconds' },
  /** tp7 serve: open connections per client address; past them, 429. */
  TP7_SERVE_CONNECTIONS_PER_ADDRESS: { default: 32, unit: 'connections' },
  /** tp7 serve: joins per client address per minute; past them, 429. */
  TP7_SERVE_JOINS_PER_MINUTE: { default: 30, unit: 'joins' },
} as const;

const UNIT_FR: Record<(typeof NUMERIC)[keyof typeof NUMERIC]['unit'], string> = { milliseconds: 'millisecondes', connections: 'connexions', joins: 'inscriptions' };

export type NumericSetting = keyof typeof NUMERIC;
export type Settings = Record<NumericSetting, number>;

/** Largest delay setTimeout honours (about 24.8 days); beyond it Node fires at once. */
const MAX_DELAY_MS = 2_147_483_647;

/** Reads and checks every numeric setting of `env`; throws one UsageError naming the first bad variable. */
export function parseSettings(env: NodeJS.ProcessEnv): Settings {
  const settings = {} as Settings;
  for (const [name, spec] of Object.entries(NUMERIC) as Array<[NumericSetting, (typeof NUMERIC)[NumericSetting]]>) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') {
      settings[name] = spec.default;
      continue;
    }
    const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value <= 0 || value > MAX_DELAY_MS) {
      throw new UsageError(both(
        `${name} doit être un nombre entier de ${UNIT_FR[spec.unit]} supérieur à 0 (par défaut ${spec.default}), pas « ${raw.slice(0, 40)} »`,
        `${name} must be a whole number of ${spec.unit} above 0 (default ${spec.default}), not "${raw.slice(0, 40)}"`,
      ));
    }
    settings[name] = value;
  }
  return settings;
}

let current: Settings | undefined;

/** The validated settings of this process (checked on first use; src/cli/main.ts asks early so any command fails fast). */
export function settings(): Settings {
  current ??= parseSettings(process.env);
  return current;
}

/**
 * TP7_TEST_ENGINE=1 says the engine is a dedicated, throwaway one (scripts/test-engine.sh sets it): what
 * `tp7 dev check --solutions` needs before it creates and removes real resources. Any other value than 1, 0 or
 * nothing is a usage error, not a silent no.
 */
export function isTestEngine(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env.TP7_TEST_ENGINE?.trim();
  if (raw === undefined || raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new UsageError(both(
    `TP7_TEST_ENGINE vaut 1 (moteur de test dédié) ou 0, pas « ${raw.slice(0, 40)} »`,
    `TP7_TEST_ENGINE takes 1 (a dedicated test engine) or 0, not "${raw.slice(0, 40)}"`,
  ));
}
