import { z } from 'zod';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import type { EngineClient, ImageInspect } from '../engine/types.js';
import { committedFrom, describeStep, ownSteps, stepKind, type StepKind } from './build-history.js';
import { familiarRepository } from '../reference.js';
import { tagsOfImage } from './refs.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('image-made-by'),
    ref: ImageRef.describe('The image whose making is checked'),
    by: z.enum(['commit', 'dockerfile']).describe('commit: `docker commit` of a container; dockerfile: `docker build`'),
    base: ImageRef.describe('The image it must be made from (its history continues this one)'),
    container: z.string().optional().describe('With by: commit, the container the task commits: named when the image is missing'),
  })
  .describe("An image was made on top of a base by `docker commit` or by a Dockerfile build, as its history shows");
type Spec = z.infer<typeof schema>;

const HOW = {
  commit: both('docker commit d\'un conteneur', 'docker commit of a container'),
  dockerfile: both('un Dockerfile (docker build)', 'a Dockerfile (docker build)'),
};

/** The image is missing: when the container to commit is there, say that committing is the step left. */
async function missingImage(spec: Spec, engine: EngineClient, expected: string): Promise<Outcome> {
  const container = spec.container ? await engine.inspectContainer(spec.container) : null;
  if (container) {
    const state = container.State.Running ? 'running' : container.State.Status;
    const etat = container.State.Running ? 'en cours d\'exécution' : container.State.Status;
    return outcome('fail', expected, `${spec.ref} absent, container ${spec.container} ${state}`, both(
      `${spec.ref} n'existe pas, mais le conteneur ${spec.container} est là (${etat}) : ses modifications restent dans le conteneur tant qu'il n'est pas enregistré comme image.`,
      `${spec.ref} does not exist, but container ${spec.container} is there (${state}): its changes stay in the container until it is saved as an image.`,
    ));
  }
  return outcome('fail', expected, `${spec.ref} absent`, both(
    `${spec.ref} est introuvable sur votre moteur Docker.`,
    `${spec.ref} is not on your Docker engine.`,
  ));
}

/**
 * The name of the image a commit was made from, through its Parent (the parent's ID on both stores): on the
 * containerd store a commit keeps no Config.Image. Undefined when the parent has no name left.
 */
async function parentName(engine: EngineClient, image: ImageInspect, ref: string): Promise<string | undefined> {
  if (!image.Parent) return undefined;
  // The student's own names of that image (mon-nginx:v2 beside nginx:latest) say less than where it came from.
  const names = await tagsOfImage(engine, image.Parent);
  return names.find((name) => familiarRepository(name) !== familiarRepository(ref)) ?? names[0];
}

/** What made the image: the newest own step (a commit when the config names a source image), then all of them. */
function verdict(image: ImageInspect, kinds: StepKind[]): { top: StepKind; pure: boolean } {
  const top = committedFrom(image) ? 'commit' : kinds[0]!;
  return { top, pure: top === 'build' ? kinds.every((kind) => kind === 'build') : true };
}

export const imageMadeBy: ProbeKind<Spec> = {
  kind: 'image-made-by',
  schema,
  inputs: { images: ['ref', 'base'], containers: ['container'] },
  async run(spec, { engine }) {
    const expected = `${spec.ref} made from ${spec.base} by ${HOW[spec.by].en}`;
    const [image, base] = await Promise.all([engine.inspectImage(spec.ref), engine.inspectImage(spec.base)]);
    if (!image) return missingImage(spec, engine, expected);
    if (!base) {
      return outcome('fail', expected, `${spec.base} absent`, both(
        `${spec.base} est introuvable : impossible de dire ce que ${spec.ref} lui ajoute.`,
        `${spec.base} is missing, so what ${spec.ref} adds to it cannot be told.`,
      ));
    }
    if (image.Id === base.Id) {
      return outcome('fail', expected, `${spec.ref} = ${spec.base}`, both(
        `${spec.ref} est ${spec.base} elle-même (même IMAGE ID) : un simple tag, rien n'a été ajouté par-dessus.`,
        `${spec.ref} is ${spec.base} itself (same IMAGE ID): a mere tag, nothing was added on top.`,
      ));
    }
    const [history, baseHistory] = await Promise.all([engine.imageHistory(spec.ref), engine.imageHistory(spec.base)]);
    const own = history && baseHistory ? ownSteps(history, baseHistory) : null;
    if (!own?.length) {
      const source = committedFrom(image) ?? (history?.[0] && stepKind(history[0]) === 'commit' ? await parentName(engine, image, spec.ref) : undefined);
      const from = source ? ` (commit d'un conteneur de ${source})` : '';
      const fromEn = source ? ` (a commit of a container of ${source})` : '';
      return outcome('fail', expected, `${spec.ref} not built on ${spec.base}${source ? `, committed from ${source}` : ''}`, both(
        `L'historique de ${spec.ref} ne prolonge pas celui de ${spec.base}${from} : partez de ${spec.base}.`,
        `The history of ${spec.ref} does not continue that of ${spec.base}${fromEn}: start from ${spec.base}.`,
      ));
    }
    const kinds = own.map(stepKind);
    const { top, pure } = verdict(image, kinds);
    const actual = own.map((step, i) => `${kinds[i]}: ${describeStep(step)}`).join(' | ');
    const topStep = describeStep(own[0]!);
    if (spec.by === 'commit' && top === 'commit') {
      return outcome('pass', expected, actual, both(`${spec.ref} vient bien d'un docker commit.`, `${spec.ref} does come from docker commit.`));
    }
    if (spec.by === 'dockerfile' && top === 'build' && pure) {
      return outcome('pass', expected, actual, both(
        `${spec.ref} vient bien d'un Dockerfile (${own.length} étape(s) de construction).`,
        `${spec.ref} does come from a Dockerfile (${own.length} build step(s)).`,
      ));
    }
    if (spec.by === 'commit') {
      return outcome('fail', expected, actual, both(
        `L'historique de ${spec.ref} montre des étapes de Dockerfile (« ${topStep} ») : cette image-ci doit venir d'un ${HOW.commit.fr}.`,
        `The history of ${spec.ref} shows Dockerfile steps ("${topStep}"): this image must come from ${HOW.commit.en}.`,
      ));
    }
    const commitStep = describeStep(own[kinds.indexOf('commit')] ?? own[0]!);
    return outcome('fail', expected, actual, both(
      `L'historique de ${spec.ref} montre un docker commit (« ${commitStep} ») : cette image-ci doit être construite avec ${HOW.dockerfile.fr}.`,
      `The history of ${spec.ref} shows a docker commit ("${commitStep}"): this image must be built with ${HOW.dockerfile.en}.`,
    ));
  },
};
