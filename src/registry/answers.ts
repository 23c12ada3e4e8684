import { both } from '../lab/text.js';
import { describeErrors, RegistryError } from './errors.js';
import type { RegistryClient, RegistryMethod, RegistryResponse } from './types.js';

// Registry answers the lab cannot use, turned into one-line RegistryErrors (shared by every conversation).

/** "GET /v2/... on localhost:5000", in both languages. */
export function what(client: RegistryClient, method: RegistryMethod, path: string): { fr: string; en: string } {
  return { fr: `${method} ${path} sur ${client.address}`, en: `${method} ${path} on ${client.address}` };
}

/** The one-line error for an answer the caller cannot use. */
export function unexpectedAnswer(client: RegistryClient, method: RegistryMethod, path: string, response: RegistryResponse): RegistryError {
  const request = what(client, method, path);
  const detail = describeErrors(response.json) || response.text.trim().split('\n')[0]!.slice(0, 120);
  const suffix = detail ? `: ${detail}` : '';
  if (response.status === 401 || response.status === 403) {
    return new RegistryError(both(
      `le registre exige une authentification (HTTP ${response.status} pour ${request.fr}${suffix})`,
      `the registry requires authentication (HTTP ${response.status} for ${request.en}${suffix})`,
    ));
  }
  if (response.status >= 500) {
    return new RegistryError(both(
      `le registre est en erreur (HTTP ${response.status} pour ${request.fr}${suffix})`,
      `the registry failed (HTTP ${response.status} for ${request.en}${suffix})`,
    ));
  }
  return new RegistryError(both(
    `réponse inattendue du registre (HTTP ${response.status} pour ${request.fr}${suffix})`,
    `unexpected registry answer (HTTP ${response.status} for ${request.en}${suffix})`,
  ));
}

/** The JSON body of a 200 answer, checked to be an object. */
export function jsonObject(client: RegistryClient, path: string, response: RegistryResponse): Record<string, unknown> {
  if (response.status !== 200) throw unexpectedAnswer(client, 'GET', path, response);
  const body = response.json;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const request = what(client, 'GET', path);
    const start = JSON.stringify(response.text.slice(0, 40));
    throw new RegistryError(both(
      `le registre a répondu à ${request.fr} par un JSON invalide (début : ${start})`,
      `the registry answered ${request.en} with malformed JSON (starts with ${start})`,
    ));
  }
  return body as Record<string, unknown>;
}
