import type { Localized } from '../lab/text.js';

/**
 * A registry that could not be asked or gave an answer the lab cannot use (down, slow, 401, 500, malformed
 * JSON). The message is one line in English; `text` holds it in both languages for check results.
 */
export class RegistryError extends Error {
  constructor(readonly text: Localized) {
    super(text.en);
    this.name = new.target.name;
  }
}

/** Transport failures (refused, unknown host, no answer in time): the registry was never reached. */
export class RegistryUnreachableError extends RegistryError {}

export interface RegistryErrorEntry {
  code: string;
  message: string;
}

/** The `{"errors": [{"code", "message", "detail"}]}` body every distribution registry answers with. */
export function registryErrors(json: unknown): RegistryErrorEntry[] {
  const errors = (json as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((entry) => {
    const { code, message } = (entry ?? {}) as { code?: unknown; message?: unknown };
    return typeof code === 'string' ? [{ code, message: typeof message === 'string' ? message : '' }] : [];
  });
}

/** "NAME_UNKNOWN: repository name not known to registry", or "" when the body holds no error. */
export function describeErrors(json: unknown): string {
  return registryErrors(json)
    .map((entry) => (entry.message ? `${entry.code}: ${entry.message}` : entry.code))
    .join('; ');
}

/** The error codes of a body, e.g. ["MANIFEST_UNKNOWN"]. */
export function errorCodes(json: unknown): string[] {
  return registryErrors(json).map((entry) => entry.code);
}
