import { z } from 'zod';
import { shortId } from '../engine/attributes.js';
import { ImageRef, RepositoryComponent } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { outcome, type ProbeKind } from './types.js';
import { PLACEHOLDER_USERS, userRepositories } from './user-repository.js';

const schema = z
  .strictObject({
    kind: z.literal('user-repository-tags'),
    repository: RepositoryComponent.describe('The repository under the student\'s Docker Hub user, e.g. mon-nginx'),
    tags: z.array(z.string().min(1)).min(1).describe('Tags <user>/<repository> must have on the engine'),
    sameAs: ImageRef.describe('The image every one of these tags must point to'),
  })
  .describe('<user>/<repository>:<tag> exist on the engine for every tag (the user found from the tags) and are all one image');
type Spec = z.infer<typeof schema>;

export const userRepositoryTags: ProbeKind<Spec> = {
  kind: 'user-repository-tags',
  schema,
  inputs: { images: 'any' },
  async run(spec, { engine }) {
    const expected = `<user>/${spec.repository}:{${spec.tags.join(',')}} → ${spec.sameAs}`;
    const [best] = await userRepositories(engine, spec.repository, spec.tags);
    if (!best) {
      return outcome('fail', expected, `no <user>/${spec.repository} image`, both(
        `Aucune image <utilisateur>/${spec.repository} sur votre moteur : les tags doivent commencer par votre nom d'utilisateur Docker Hub.`,
        `No <user>/${spec.repository} image on your engine: the tags must start with your Docker Hub user name.`,
      ));
    }
    const present = [...best.tags.keys()].sort();
    const actual = `${best.name}: ${present.join(', ')}`;
    if (PLACEHOLDER_USERS.includes(best.user)) {
      return outcome('fail', expected, actual, both(
        `${best.name} reprend l'exemple du cours : remplacez ${best.user} par votre propre nom d'utilisateur Docker Hub.`,
        `${best.name} copies the course's example: replace ${best.user} with your own Docker Hub user name.`,
      ));
    }
    const missing = spec.tags.filter((tag) => !best.tags.has(tag));
    if (missing.length) {
      return outcome('fail', expected, actual, both(
        `Il manque à ${best.name} le(s) tag(s) ${missing.join(', ')} (présents : ${present.join(', ')}).`,
        `${best.name} lacks the tag(s) ${missing.join(', ')} (present: ${present.join(', ')}).`,
      ));
    }
    const source = await engine.inspectImage(spec.sameAs);
    if (!source) {
      return outcome('fail', expected, actual, both(
        `${spec.sameAs} n'est pas sur votre moteur : récupérez-la d'abord, c'est l'image à publier.`,
        `${spec.sameAs} is not on your engine: pull it first, it is the image to publish.`,
      ));
    }
    const wrong = spec.tags.filter((tag) => best.tags.get(tag) !== source.Id);
    if (wrong.length) {
      const shown = wrong.map((tag) => `${tag} → ${shortId(best.tags.get(tag)!)}`).join(', ');
      return outcome('fail', expected, `${actual} (${shown}; ${spec.sameAs} → ${shortId(source.Id)})`, both(
        `${best.name}:${wrong[0]} ne pointe pas vers l'image de ${spec.sameAs} : recréez ce tag à partir de ${spec.sameAs}.`,
        `${best.name}:${wrong[0]} does not point to ${spec.sameAs}'s image: re-create that tag from ${spec.sameAs}.`,
      ));
    }
    return outcome('pass', expected, `${actual} → ${shortId(source.Id)}`, both(
      `${best.name} : ${spec.tags.length} tags, une seule image (${spec.sameAs}).`,
      `${best.name}: ${spec.tags.length} tags, one image (${spec.sameAs}).`,
    ));
  },
};
