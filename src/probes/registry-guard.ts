import { both } from '../lab/text.js';
import { RegistryError } from '../registry/errors.js';
import { outcome, type Outcome } from './types.js';

/**
 * Runs a registry probe and turns any registry failure (down, slow, 401, 500, malformed JSON) into an `error`
 * result of one line: the check could not be made, which is not the student's fault nor a pass.
 */
export async function guardRegistry(expected: string, run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return outcome('error', expected, error.message, both(`Vérification impossible : ${error.text.fr}.`, `Could not check: ${error.text.en}.`));
  }
}
