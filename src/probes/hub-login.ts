import { z } from 'zod';
import { both } from '../lab/text.js';
import { reachability } from '../registry/api.js';
import type { CredentialPresence } from '../registry/types.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('hub-login'),
  })
  .describe('The docker CLI holds Docker Hub credentials (docker login), told from config.json key names only');
type Spec = z.infer<typeof schema>;

const EXPECTED = 'Docker Hub credentials in the docker config';

/** Where the secret lives, in words: never the secret itself. */
function storage(found: CredentialPresence): { fr: string; en: string } {
  if (found.helper) return { fr: `gardé par l'assistant « ${found.helper} »`, en: `kept by the helper "${found.helper}"` };
  if (found.store) return { fr: `gardé par le magasin « ${found.store} »`, en: `kept by the store "${found.store}"` };
  return { fr: `encodé dans ${found.file}`, en: `encoded in ${found.file}` };
}

export const hubLogin: ProbeKind<Spec> = {
  kind: 'hub-login',
  schema,
  inputs: { registry: true },
  async run(_spec, { registry }) {
    if (!registry.credentials || !registry.hub) {
      return outcome('error', EXPECTED, 'no credential reader', both('Ce client ne sait pas lire la configuration Docker.', 'This client cannot read the Docker configuration.'));
    }
    const found = await registry.credentials('docker.io');
    if (found.problem) {
      return outcome('error', EXPECTED, `${found.file}: ${found.problem}`, both(
        `Impossible de lire ${found.file} (${found.problem}).`,
        `Cannot read ${found.file} (${found.problem}).`,
      ));
    }
    if (found.loggedIn || found.helper) {
      const where = storage(found);
      return outcome('pass', EXPECTED, `${found.file}: Docker Hub entry (secret ${where.en})`, both(
        `Connexion à Docker Hub enregistrée (secret ${where.fr}).`,
        `Docker Hub login recorded (secret ${where.en}).`,
      ));
    }
    const actual = found.emptyEntry ? `${found.file}: Docker Hub entry without credential nor store` : found.exists ? `${found.file}: no Docker Hub entry` : `${found.file}: no such file`;
    const hub = await reachability(registry.hub());
    if (!hub.reachable) {
      // docker login itself needs Docker Hub: an offline student cannot do this step, so it is not counted.
      return outcome('skip', EXPECTED, actual, both(
        `Non vérifié : ${hub.text.fr}. La connexion (docker login) a besoin de Docker Hub.`,
        `Not checked: ${hub.text.en}. Logging in (docker login) needs Docker Hub.`,
      ));
    }
    if (found.emptyEntry) {
      return outcome('fail', EXPECTED, actual, both(
        `L'entrée Docker Hub de ${found.file} ne contient aucun identifiant, et aucun magasin d'identifiants n'est configuré : docker login n'écrit pas cela. Connectez-vous avec un jeton d'accès.`,
        `The Docker Hub entry of ${found.file} holds no credential, and no credential store is configured: docker login does not write that. Log in with an access token.`,
      ));
    }
    return outcome('fail', EXPECTED, actual, both(
      `Aucune connexion à Docker Hub dans ${found.file} : connectez-vous avec un jeton d'accès.`,
      `No Docker Hub login in ${found.file}: log in with an access token.`,
    ));
  },
};
