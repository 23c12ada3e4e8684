import { z } from 'zod';
import { shortId } from '../engine/attributes.js';
import { PROBE_LABEL } from '../engine/image-file.js';
import type { EngineClient } from '../engine/types.js';
import { both, type Localized } from '../lab/text.js';
import { readCalls } from '../scripts/command-rules.js';
import { showCommand, type DockerCommand } from '../scripts/docker-command.js';
import { scriptHostOf } from '../scripts/local-host.js';
import { recordedRun } from '../scripts/recorded-run.js';
import { replayRemovals, type EngineSnapshot } from '../scripts/removals.js';
import { familiarRepository as repositoryOf } from '../reference.js';
import { scriptMissing } from './script-outcome.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

/** Stands, in `images`, for the lab registry's address (localhost:5000 unless --registry says otherwise). */
const REGISTRY = '{registry}';

const schema = z
  .strictObject({
    kind: z.literal('cleanup-script'),
    script: z.string().regex(/^[^/].*$/).describe("The student's cleanup script, relative to the workdir; judged by a recorded run"),
    containers: z.array(z.string().min(1)).default([]).describe('Containers it must remove, by name'),
    volumes: z.array(z.string().min(1)).default([]).describe('Volumes it must remove, by name'),
    images: z.array(z.string().min(1)).default([]).describe(`Repositories whose images (found on the engine at check time) it must remove; ${REGISTRY}/name for the lab registry's`),
    timeoutSeconds: z.number().positive().max(60).default(20).describe('Time limit of the run'),
  })
  .describe('A cleanup script, judged by a recorded run replayed on a snapshot of the engine: it removes exactly these containers, volumes and images, nothing else');
type Spec = z.infer<typeof schema>;

/** Only removals of named things are a cleanup's business: a prune or anything else changing state is too wide. */
const REMOVALS = new Set(['container rm', 'container stop', 'container kill', 'image rm', 'volume rm']);

async function snapshot(engine: EngineClient): Promise<EngineSnapshot> {
  const [images, containers] = await Promise.all([engine.listImages(), engine.listContainers({})]);
  return {
    images: images.map((image) => ({ id: image.Id, tags: (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>') })),
    // tp7's own throwaway containers (other checks reading image files at the same time) are not the student's.
    containers: containers.filter((container) => !container.Labels?.[PROBE_LABEL]).map((container) => ({ id: container.Id, name: (container.Names[0] ?? '').replace(/^\//, ''), image: container.ImageID })),
  };
}

const REFUSALS: Record<string, Localized> = {
  'several-repositories': both('docker refuserait : cette image est nommée dans plusieurs dépôts (supprimez-la par ses noms, ou avec -f)', 'docker would refuse: this image is named in several repositories (remove it by its names, or with -f)'),
  'in-use': both('docker refuserait : un conteneur encore présent utilise cette image (supprimez d\'abord le conteneur)', 'docker would refuse: a container still there uses this image (remove the container first)'),
  'no-such-image': both('cette image n\'existe pas sur le moteur', 'no such image on the engine'),
};

function judge(spec: Spec, expected: string, commands: DockerCommand[], engineNow: EngineSnapshot, address: string): Outcome {
  const actual = commands.filter((command) => !command.readOnly).map((command) => showCommand(command.argv)).join('; ') || 'nothing removed';
  const fail = (fr: string, en: string) => outcome('fail', expected, actual, both(`${spec.script} : ${fr}.`, `${spec.script}: ${en}.`));
  const wide = commands.find((command) => !command.readOnly && !REMOVALS.has(command.command));
  if (wide) return fail(`${showCommand(wide.argv)} dépasse les ressources du pipeline`, `${showCommand(wide.argv)} reaches beyond the pipeline's resources`);
  const removed = replayRemovals(commands, engineNow);
  const refused = removed.refused.find((entry) => entry.reason !== 'no-such-image');
  if (refused) return fail(`${showCommand(refused.command.argv)} (${refused.target}) : ${REFUSALS[refused.reason]!.fr}`, `${showCommand(refused.command.argv)} (${refused.target}): ${REFUSALS[refused.reason]!.en}`);
  const repositories = spec.images.map((repository) => repository.replace(REGISTRY, address));
  const ours = (tag: string) => repositories.includes(repositoryOf(tag));
  const pipelineImages = engineNow.images.filter((image) => image.tags.some(ours));
  const strayTag = removed.untagged.find((tag) => !ours(tag));
  if (strayTag) return fail(`il retire aussi ${strayTag}, que le pipeline n'a pas créé`, `it also removes ${strayTag}, which the pipeline did not make`);
  const strayContainer = removed.containers.find((name) => !spec.containers.includes(name));
  if (strayContainer) return fail(`il supprime aussi le conteneur ${strayContainer}`, `it also removes container ${strayContainer}`);
  const strayVolume = removed.volumes.find((name) => !spec.volumes.includes(name));
  if (strayVolume) return fail(`il supprime aussi le volume ${strayVolume}`, `it also removes volume ${strayVolume}`);
  const keptContainers = spec.containers.filter((name) => !removed.containers.includes(name));
  if (keptContainers.length) return fail(`le(s) conteneur(s) ${keptContainers.join(', ')} reste(nt)`, `container(s) ${keptContainers.join(', ')} would stay`);
  const keptVolumes = spec.volumes.filter((name) => !removed.volumes.includes(name));
  if (keptVolumes.length) return fail(`le(s) volume(s) ${keptVolumes.join(', ')} reste(nt)`, `volume(s) ${keptVolumes.join(', ')} would stay`);
  const keptImages = pipelineImages.filter((image) => !removed.images.includes(image.id));
  if (keptImages.length) {
    const shown = keptImages.map((image) => `${shortId(image.id)} (${image.tags.filter(ours).join(', ')})`).join(', ');
    return fail(`ces images du pipeline resteraient : ${shown}`, `these images of the pipeline would stay: ${shown}`);
  }
  return outcome('pass', expected, actual, both(
    `${spec.script} supprime exactement les ressources du pipeline (exécution enregistrée, rien n'a été supprimé).`,
    `${spec.script} removes exactly the pipeline's resources (recorded run, nothing was removed).`,
  ));
}

export const cleanupScript: ProbeKind<Spec> = {
  kind: 'cleanup-script',
  schema,
  inputs: { files: ['script'], images: 'any', containers: 'any' },
  sideEffects: true,
  async run(spec, clients) {
    const { engine, files, workdir, registry } = clients;
    const what = [...spec.containers.map((name) => `container ${name}`), ...spec.volumes.map((name) => `volume ${name}`), ...spec.images.map((repo) => `images of ${repo.replace(REGISTRY, registry.address)}`)];
    const expected = `${spec.script} removes ${what.join(', ')}, and nothing else`;
    const script = await files.stat(spec.script);
    if (!script?.isFile) return scriptMissing(spec.script, expected);
    // The snapshot comes first: the run forwards reads (docker images myapp -q) to this same state.
    const engineNow = await snapshot(engine);
    const run = await recordedRun(scriptHostOf(clients), { workdir, script: spec.script, args: [], timeoutMs: spec.timeoutSeconds * 1000, engineHost: engine.host, engineAddress: engine.address });
    if (run.timedOut) return outcome('fail', expected, `timed out after ${spec.timeoutSeconds} s`, both(`${spec.script} n'a pas fini en ${spec.timeoutSeconds} s.`, `${spec.script} did not finish within ${spec.timeoutSeconds} s.`));
    return judge(spec, expected, readCalls(run.calls), engineNow, registry.address);
  },
};
