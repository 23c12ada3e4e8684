import { z } from 'zod';
import { shortId } from '../engine/attributes.js';
import type { EngineClient, ImageInspect } from '../engine/types.js';
import { ImageRef, Pattern } from '../lab/ids.js';
import { both, Localized } from '../lab/text.js';
import { referenceOf, sameReference } from '../reference.js';
import { manifestDigest, reachability } from '../registry/api.js';
import type { RegistryClient } from '../registry/types.js';
import { repositoryName } from './containers.js';
import { missingImage, tagsOfImage } from './refs.js';
import { upstreamOf, type Upstream } from './upstream.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const Declared = z.strictObject({
  env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).describe('An environment variable the published image sets (Config.Env)'),
  matches: Pattern.describe('What its value must match in the image published under this tag, e.g. ^1\\.25\\.'),
  meaning: Localized.describe('What a matching value stands for, as the failure message says it (e.g. "a 1.25.x version")'),
});

const schema = z
  .strictObject({
    kind: z.literal('image-pulled'),
    ref: ImageRef.describe('The tag that must have been pulled from its registry'),
    declares: z.array(Declared).default([]).describe('What the image published under this tag declares about itself'),
    notSameAs: z.array(ImageRef).default([]).describe('Tags published as other images: a pulled ref never shares their ID'),
  })
  .describe(
    'An image was pulled under this tag, not only named: it carries a repo digest of its repository, declares what the ' +
      'published image declares (e.g. its NGINX_VERSION), and is not the image of another tag',
  );
type Spec = z.infer<typeof schema>;

/**
 * `docker tag` only adds a name: the image keeps its own ID, digests and environment. What a pull guarantees and a
 * retag cannot fake is checked here: a repo digest of the tag's repository (a local build or an image of another
 * repository has none), the version the image announces, and an ID other than those of the repository's other
 * variants. Real Docker Hub images and the stand-ins of scripts/fixtures.sh carry the same evidence.
 */
export const imagePulled: ProbeKind<Spec> = {
  kind: 'image-pulled',
  schema,
  inputs: { images: ['ref', 'notSameAs'], registry: true },
  async run(spec, { engine, registry }) {
    const expected = `${spec.ref} pulled from ${repositoryName(spec.ref)}`;
    const image = await engine.inspectImage(spec.ref);
    if (!image) return missingImage(engine, spec.ref, expected);
    const actual = `${spec.ref} → ${shortId(image.Id)}`;
    const containerd = (await engine.version()).store === 'containerd';
    const origin = containerd ? await notPublished(spec, image, expected, actual, engine, registry) : notFromRepository(spec, image, expected, actual);
    // An origin that cannot be told (a skip) yields to a failure the image shows by itself.
    if (origin?.status === 'fail') return origin;
    return (
      (await sameAsAnother(spec, image, expected, actual, engine)) ??
      declaresOtherwise(spec, image, expected, actual) ??
      origin ??
      outcome('pass', expected, actual, both(`${spec.ref} est bien l'image publiée sous ce tag.`, `${spec.ref} is the image published under this tag.`))
    );
  },
};

function notFromRepository(spec: Spec, image: ImageInspect, expected: string, actual: string): Outcome | undefined {
  const repository = repositoryName(spec.ref);
  const digests = image.RepoDigests ?? [];
  const wanted = referenceOf(spec.ref);
  const sameRepository = (digest: string) => {
    const got = referenceOf(digest);
    if (!got || !wanted) return repositoryName(digest) === repository;
    if (got.registry === wanted.registry) return got.path === wanted.path;
    // A mirror of Docker Hub's official images (mirror.gcr.io/library/nginx) holds the same repository.
    return wanted.registry === 'docker.io' && got.path === wanted.path && got.path.startsWith('library/');
  };
  if (digests.some(sameRepository)) return undefined;
  const from = digests.map(repositoryName);
  return outcome('fail', expected, `${actual}, digests of: ${from.join(', ') || 'none'}`, both(
    `${spec.ref} existe mais ne vient pas du dépôt ${repository} d'un registre : ${from.length ? `ses seuls digests sont ceux de ${from.join(', ')}` : "elle n'a aucun digest (une image construite localement ou chargée par docker load n'en a pas : seul un téléchargement depuis le registre en enregistre un)"}. Un nom ne suffit pas : il faut l'image publiée sous ce tag.`,
    `${spec.ref} exists but did not come from the ${repository} repository of a registry: ${from.length ? `its only digests belong to ${from.join(', ')}` : 'it has no digest (an image built locally or loaded with docker load has none: only a download from the registry records one)'}. A name is not enough: the image published under this tag is.`,
  ));
}

/**
 * The containerd store's RepoDigests are made up from the names (`docker tag alpine nginx:alpine` gives
 * `nginx@<alpine's digest>`), so they prove nothing. What does: the image ID there is the digest the tag pointed
 * to when pulled, and the registry keeps serving that manifest by digest after the tag moves on, while a local
 * build or another repository's image is not one of its manifests. A skip when that registry cannot be asked
 * (offline without a mirror): nothing else tells.
 */
async function notPublished(spec: Spec, image: ImageInspect, expected: string, actual: string, engine: EngineClient, registry: RegistryClient): Promise<Outcome | undefined> {
  const source = await sourceOf(engine, registry, spec.ref);
  const reached = source ? await reachability(source.registry) : undefined;
  if (!source || !reached?.reachable) {
    // Nothing else on this store tells a pull from a local build that declares the same version.
    const why = reached && !reached.reachable ? reached.text : both('aucun miroir ni Docker Hub', 'no mirror, no Docker Hub');
    return outcome('skip', expected, `${actual}, its registry out of reach`, both(
      `Impossible de dire d'où vient ${spec.ref} : son registre est injoignable (${why.fr}), et votre moteur (stockage d'images containerd) ne garde aucune trace d'un téléchargement. Vérifié dès que le registre répond.`,
      `Cannot tell where ${spec.ref} came from: its registry is out of reach (${why.en}), and your engine (containerd image store) keeps no trace of a pull. Checked once the registry answers.`,
    ));
  }
  if ((await manifestDigest(source.registry, source.repository, image.Id).catch(() => undefined)) !== null) return undefined;
  const repository = repositoryName(spec.ref);
  const others = (await tagsOfImage(engine, image.Id)).filter((tag) => !sameReference(tag, spec.ref));
  const published = `${source.where}/${source.repository}`;
  return outcome('fail', expected, `${actual}, not a manifest of ${published}${others.length ? `, also ${others.join(', ')}` : ''}`, both(
    `${spec.ref} existe mais ne vient pas du dépôt ${repository} d'un registre : ${published} ne publie aucun manifeste ${shortId(image.Id)} (l'identifiant de cette image)${others.length ? `, qui porte ici aussi le nom ${others.join(', ')}` : ' : une image construite localement ou venue d\'un autre dépôt'}. Un nom ne suffit pas : il faut l'image publiée sous ce tag.`,
    `${spec.ref} exists but did not come from the ${repository} repository of a registry: ${published} publishes no manifest ${shortId(image.Id)} (this image's ID)${others.length ? `, which is also named ${others.join(', ')} here` : ': an image built locally or from another repository'}. A name is not enough: the image published under this tag is.`,
  ));
}

/** The registry and repository a plain `docker pull ref` reads: the engine's mirror or Docker Hub for Hub names. */
async function sourceOf(engine: EngineClient, registry: RegistryClient, ref: string): Promise<Upstream | undefined> {
  const parsed = referenceOf(ref);
  if (!parsed) return undefined;
  if (parsed.registry === 'docker.io') return upstreamOf(engine, registry, ref);
  const other = registry.address === parsed.registry ? registry : registry.at?.(parsed.registry);
  return other ? { registry: other, repository: parsed.path, tag: parsed.tag ?? 'latest', where: parsed.registry } : undefined;
}

async function sameAsAnother(spec: Spec, image: ImageInspect, expected: string, actual: string, engine: EngineClient): Promise<Outcome | undefined> {
  const others = await Promise.all(spec.notSameAs.map((ref) => engine.inspectImage(ref)));
  const twin = spec.notSameAs.find((_, i) => others[i]?.Id === image.Id);
  if (!twin) return undefined;
  return outcome('fail', expected, `${actual}, the same image as ${twin}`, both(
    `${spec.ref} est la même image que ${twin} (${shortId(image.Id)}), alors que le registre publie deux images différentes sous ces tags : ${spec.ref} n'est qu'un second nom de ${twin}.`,
    `${spec.ref} is the same image as ${twin} (${shortId(image.Id)}), though the registry publishes two different images under these tags: ${spec.ref} is only a second name of ${twin}.`,
  ));
}

function declaresOtherwise(spec: Spec, image: ImageInspect, expected: string, actual: string): Outcome | undefined {
  const env = image.Config?.Env ?? [];
  for (const declared of spec.declares) {
    const entry = env.find((item) => item.startsWith(`${declared.env}=`));
    const value = entry?.slice(declared.env.length + 1);
    if (value !== undefined && new RegExp(declared.matches).test(value)) continue;
    const found = value === undefined ? { fr: `ne déclare pas ${declared.env}`, en: `does not declare ${declared.env}` } : { fr: `déclare ${declared.env}=${value}`, en: `declares ${declared.env}=${value}` };
    return outcome('fail', expected, `${actual}, ${found.en}`, both(
      `${spec.ref} ${found.fr}, alors que l'image publiée sous ce tag annonce ${declared.meaning.fr} : ce nom a été posé sur une autre image.`,
      `${spec.ref} ${found.en}, whereas the image published under this tag announces ${declared.meaning.en}: this name was put on another image.`,
    ));
  }
  return undefined;
}
