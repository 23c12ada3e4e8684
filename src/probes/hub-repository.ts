import { z } from 'zod';
import { holdsManifest } from '../engine/store.js';
import { RepositoryComponent } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { listTags, manifestDigest, reachability } from '../registry/api.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type ProbeKind } from './types.js';
import { userRepositories } from './user-repository.js';

const schema = z
  .strictObject({
    kind: z.literal('hub-repository'),
    repository: RepositoryComponent.describe('The repository under the student\'s Docker Hub user, e.g. mon-nginx'),
    tags: z.array(z.string().min(1)).min(1).describe('Tags Docker Hub must serve for <user>/<repository>'),
  })
  .describe(
    'Docker Hub serves <user>/<repository> publicly with these tags on one manifest, and the local image carries that digest (pushed or pulled back). Skipped when Docker Hub cannot be reached',
  );
type Spec = z.infer<typeof schema>;

export const hubRepository: ProbeKind<Spec> = {
  kind: 'hub-repository',
  schema,
  inputs: { images: 'any', registry: true },
  async run(spec, { engine, registry }) {
    const expected = `Docker Hub: <user>/${spec.repository}:{${spec.tags.join(',')}}, one digest, also on the engine`;
    if (!registry.hub) return outcome('error', expected, 'no Docker Hub client', both('Ce client ne sait pas joindre Docker Hub.', 'This client cannot reach Docker Hub.'));
    const hub = registry.hub();
    const reach = await reachability(hub);
    if (!reach.reachable) {
      return outcome('skip', expected, reach.reason, both(
        `Non vérifié : ${reach.text.fr}. Ce point sera contrôlé quand Docker Hub sera joignable.`,
        `Not checked: ${reach.text.en}. This point is checked once Docker Hub can be reached.`,
      ));
    }
    const [mine] = await userRepositories(engine, spec.repository, spec.tags);
    if (!mine) {
      return outcome('fail', expected, `no <user>/${spec.repository} image on the engine`, both(
        `Aucune image <utilisateur>/${spec.repository} sur votre moteur : taguez d'abord l'image avec votre nom d'utilisateur Docker Hub.`,
        `No <user>/${spec.repository} image on your engine: tag the image with your Docker Hub user name first.`,
      ));
    }
    return guardRegistry(expected, async () => {
      const listed = await listTags(hub, mine.name, { publicOnly: true });
      if (!listed.found) {
        return outcome('fail', expected, `${mine.name}: not readable on Docker Hub`, both(
          `Docker Hub ne montre pas ${mine.name} : poussez vos tags, puis rendez le dépôt public.`,
          `Docker Hub does not show ${mine.name}: push your tags, then make the repository public.`,
        ));
      }
      const missing = spec.tags.filter((tag) => !listed.tags.includes(tag));
      const actual = `${mine.name} on Docker Hub: ${listed.tags.join(', ') || 'no tag'}`;
      if (missing.length) {
        return outcome('fail', expected, actual, both(
          `Docker Hub n'a pas encore ${missing.map((tag) => `${mine.name}:${tag}`).join(', ')}.`,
          `Docker Hub does not have ${missing.map((tag) => `${mine.name}:${tag}`).join(', ')} yet.`,
        ));
      }
      const digests = await Promise.all(spec.tags.map((tag) => manifestDigest(hub, mine.name, tag)));
      if (new Set(digests).size !== 1 || !digests[0]) {
        return outcome('fail', expected, `${actual}; digests: ${spec.tags.map((tag, i) => `${tag} → ${digests[i]?.slice(7, 19)}`).join(', ')}`, both(
          `Sur Docker Hub, les tags de ${mine.name} ne désignent pas tous la même image : repoussez-les depuis la même image locale.`,
          `On Docker Hub, the tags of ${mine.name} do not all name one image: push them again from the same local image.`,
        ));
      }
      const local = await engine.inspectImage(`${mine.name}:${spec.tags[0]}`);
      const wanted = `${mine.name}@${digests[0]}`;
      // The classic store records the digest a push or a pull met; the containerd store holds the manifest itself.
      const carried = (await engine.version()).store === 'containerd' ? holdsManifest(local, digests[0]) : Boolean(local?.RepoDigests?.includes(wanted));
      if (!carried) {
        return outcome('fail', expected, `${actual}; local RepoDigests: ${(local?.RepoDigests ?? []).join(', ') || 'none'}`, both(
          `Docker Hub sert ${mine.name}, mais votre image locale ne porte pas son digest : récupérez-la depuis Docker Hub pour vérifier l'aller-retour.`,
          `Docker Hub serves ${mine.name}, but your local image does not carry its digest: pull it back from Docker Hub to prove the round trip.`,
        ));
      }
      return outcome('pass', expected, `${actual}; ${wanted}`, both(
        `${mine.name} est publiée sur Docker Hub (${spec.tags.length} tags, un digest) et votre image porte ce digest.`,
        `${mine.name} is published on Docker Hub (${spec.tags.length} tags, one digest) and your image carries that digest.`,
      ));
    });
  },
};
