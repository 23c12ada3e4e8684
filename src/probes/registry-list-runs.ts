import { z } from 'zod';
import { RepositoryName } from './platform-schema.js';
import type { EngineClient, ProbeRun } from '../engine/types.js';
import { CheckError } from '../errors.js';
import { both, clipAtWord, type Localized } from '../lab/text.js';
import type { ListChild } from '../registry/manifests.js';
import { formatPlatform, normaliseArchitecture, printsMachine, unameMatches, type Platform } from '../registry/platform.js';
import { entryPlatform, readListView, shortDigest, staleEntries } from './list-view.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-list-runs'),
    repository: RepositoryName,
    tag: z.string().min(1).describe('The tag of the list'),
    timeoutSeconds: z.number().positive().max(120).default(20).describe('How long one child may take to run uname -m'),
  })
  .describe(
    'Each image of a list really runs as its platform: pulled by digest, `uname -m` then its own command (which must print that machine) run under --platform in labelled throwaway containers, the pulled image removed unless it was already there. Skipped, never failed, for a platform the engine cannot emulate',
  );
type Spec = z.infer<typeof schema>;

type Verdict = { platform: string; result: 'ok' | 'no-emulation' } | { platform: string; result: 'wrong'; why: Localized };

const EMULATION_FIX = both(
  "enregistrez l'émulation qemu : sur Linux, `docker run --privileged --rm tonistiigi/binfmt --install all` (ou le paquet qemu-user-static et ses entrées binfmt_misc ; ici `sudo scripts/lab.sh` le fait) ; Docker Desktop l'a déjà",
  'register qemu emulation: on Linux, `docker run --privileged --rm tonistiigi/binfmt --install all` (or the qemu-user-static package and its binfmt_misc entries; here `sudo scripts/lab.sh` does it); Docker Desktop has it built in',
);

function firstLine(text: string): string {
  return clipAtWord(text.split('\n').map((line) => line.trim()).find(Boolean) ?? '', 160);
}

/** Why the engine would not run a child, in the student's language: its own words only when not known. */
function engineRefusal(error: unknown, name: string): Localized {
  const said = error instanceof CheckError ? error.text : both(String((error as Error)?.message ?? error), String((error as Error)?.message ?? error));
  if (/does not (match|provide) the specified platform/i.test(said.en)) {
    return both(`le moteur la trouve, mais ce n'est pas une image ${name} : sa configuration annonce une autre plateforme`, `the engine finds it, but it is not a ${name} image: its config names another platform`);
  }
  return both(`le moteur ne peut pas la lancer comme ${name} (${firstLine(said.fr)})`, `the engine cannot run it as ${name} (${firstLine(said.en)})`);
}

/**
 * The child's own command (its ENTRYPOINT/CMD, as a plain `docker run` starts it) must print the machine.
 * The course's trap: CMD ["echo", "Hello from $(uname -m)"] is in exec form, so no shell expands $(uname -m).
 */
function judgeOwnCommand(platform: Platform, run: ProbeRun, timeoutSeconds: number): Verdict {
  const name = formatPlatform(platform);
  const said = firstLine(run.output);
  if (!run.timedOut && printsMachine(run.output, platform)) return { platform: name, result: 'ok' };
  const pitfall = both(
    "en forme exec (tableau JSON), aucun shell n'évalue $(uname -m) : c'est le piège de l'exercice",
    'in exec form (a JSON array) no shell expands $(uname -m): that is the trap of the exercise',
  );
  if (run.timedOut) {
    return { platform: name, result: 'wrong', why: both(`sa propre commande (CMD) ne finit pas en ${timeoutSeconds} s ; elle doit afficher son architecture et s'arrêter`, `its own command (CMD) does not finish within ${timeoutSeconds} s; it should print its architecture and stop`) };
  }
  if (/\$\(\s*uname/.test(run.output)) {
    return { platform: name, result: 'wrong', why: both(`sa propre commande affiche « ${said} » tel quel : ${pitfall.fr}`, `its own command prints "${said}" as it is: ${pitfall.en}`) };
  }
  return { platform: name, result: 'wrong', why: both(
    `sa propre commande (docker run sans argument) affiche ${said ? `« ${said} »` : 'rien'}, pas l'architecture que donne uname -m (${pitfall.fr})`,
    `its own command (docker run with no arguments) prints ${said ? `"${said}"` : 'nothing'}, not the machine uname -m gives (${pitfall.en})`,
  ) };
}

function judge(platform: Platform, run: ProbeRun, foreign: boolean): Verdict {
  const name = formatPlatform(platform);
  const said = firstLine(run.output);
  if (run.exitCode === 0 && unameMatches(said, platform)) return { platform: name, result: 'ok' };
  if (/exec format error/i.test(run.output)) {
    if (foreign) return { platform: name, result: 'no-emulation' };
    return { platform: name, result: 'wrong', why: both(`ses programmes ne sont pas pour ${name} (le noyau répond « exec format error »)`, `its programs are not ${name} programs (exec format error)`) };
  }
  if (run.timedOut) return { platform: name, result: 'wrong', why: both('uname -m ne finit pas', 'uname -m does not finish') };
  if (run.exitCode === 0) {
    return { platform: name, result: 'wrong', why: both(`uname -m y affiche ${said || '(rien)'} : ses programmes sont pour une autre machine`, `uname -m prints ${said || '(nothing)'} in it: its programs are for another machine`) };
  }
  return { platform: name, result: 'wrong', why: both(`uname -m n'y tourne pas (${said || `code ${run.exitCode}`})`, `uname -m does not run in it (${said || `exit code ${run.exitCode}`})`) };
}

/**
 * Pulls one child by digest, runs `uname -m` in it as its platform, then its own command, and removes what
 * the pull added.
 */
async function runChild(engine: Required<Pick<EngineClient, 'pullImage' | 'runProbe' | 'removeImage'>> & EngineClient, ref: string, child: ListChild, platform: Platform, foreign: boolean, timeoutMs: number): Promise<Verdict> {
  const name = formatPlatform(platform);
  const configDigest = child.manifest?.config.digest;
  // Already on the engine (the student's own pull, or the image they built and pushed): never removed. Found by
  // the digest itself, it is not pulled again either: on the containerd store a pull by digest would add an image
  // named after the digest, which no removal can take away alone (`docker rmi repo@digest` untags every tag of
  // that repository naming the same manifest, the student's among them).
  const byDigest = await engine.inspectImage(ref);
  const existed = Boolean(byDigest ?? (configDigest ? await engine.inspectImage(configDigest) : null));
  try {
    if (!byDigest) await engine.pullImage(ref);
    const machine = judge(platform, await engine.runProbe(ref, { platform: name, entrypoint: ['uname'], cmd: ['-m'], timeoutMs }), foreign);
    if (machine.result !== 'ok') return machine;
    return judgeOwnCommand(platform, await engine.runProbe(ref, { platform: name, timeoutMs }), timeoutMs / 1000);
  } catch (error) {
    return { platform: name, result: 'wrong', why: engineRefusal(error, name) };
  } finally {
    if (!existed) await engine.removeImage(ref).catch(() => undefined);
  }
}

/**
 * Verdicts already reached in this process, by engine and list digest. A digest names the same children for
 * ever, so `tp7 watch` does not pull and run them again each round (its own pulls would wake it up again).
 * Skips are not kept: emulation may be registered meanwhile.
 */
const judged = new Map<string, Outcome>();

function remember(key: string, result: Outcome): Outcome {
  judged.set(key, result);
  return result;
}

export const registryListRuns: ProbeKind<Spec> = {
  kind: 'registry-list-runs',
  schema,
  inputs: { registry: true },
  sideEffects: true,
  async run(spec, { registry, engine }): Promise<Outcome> {
    const expected = 'each child prints its own machine with uname -m and with its own command, run under its platform';
    if (!engine.pullImage || !engine.runProbe || !engine.removeImage) {
      return outcome('skip', expected, 'this engine client cannot run containers', both('Ce moteur ne permet pas de lancer des conteneurs de test.', 'This engine client cannot run probe containers.'));
    }
    return guardRegistry(expected, async () => {
      const view = await readListView(registry, spec.repository, spec.tag, expected);
      if (!view.found) return view.outcome;
      const key = `${engine.host} ${registry.address}/${spec.repository}@${view.list.digest}`;
      const known = judged.get(key);
      if (known) return known;
      const native = normaliseArchitecture((await engine.version()).arch)?.architecture;
      const verdicts: Verdict[] = [];
      for (const child of view.children) {
        if (!child.entry.platform) {
          verdicts.push({ platform: entryPlatform(child), result: 'wrong', why: both("la liste ne dit pas pour quelle plateforme elle est", 'the list does not say which platform it is for') });
          continue;
        }
        const ref = `${registry.address}/${spec.repository}@${child.entry.digest}`;
        const foreign = normaliseArchitecture(child.entry.platform.architecture)?.architecture !== native;
        const verdict = await runChild(engine as Parameters<typeof runChild>[0], ref, child, child.entry.platform, foreign, spec.timeoutSeconds * 1000);
        verdicts.push(verdict.result === 'wrong' ? { ...verdict, why: both(`${shortDigest(child.entry.digest)} : ${verdict.why.fr}`, `${shortDigest(child.entry.digest)}: ${verdict.why.en}`) } : verdict);
      }
      const actual = verdicts.map((verdict) => `${verdict.platform}: ${verdict.result}`).join(', ') || 'an empty list';
      const wrong = verdicts.filter((verdict): verdict is Extract<Verdict, { result: 'wrong' }> => verdict.result === 'wrong');
      if (!verdicts.length) return outcome('fail', expected, actual, both('La liste ne contient aucune image.', 'The list holds no image.'));
      if (wrong.length) {
        const stale = await staleEntries(registry, spec.repository, spec.tag, view.children);
        return remember(key, outcome('fail', expected, actual, both(
          wrong.map((verdict) => `${verdict.platform} → ${verdict.why.fr}`).join(' ; ') + '.' + (stale ? ` ${stale.fr}` : ''),
          wrong.map((verdict) => `${verdict.platform} → ${verdict.why.en}`).join('; ') + '.' + (stale ? ` ${stale.en}` : ''),
        )));
      }
      const unrunnable = verdicts.filter((verdict) => verdict.result === 'no-emulation').map((verdict) => verdict.platform);
      if (unrunnable.length) {
        return outcome('skip', expected, actual, both(
          `Non vérifiable ici : ce moteur ne sait pas exécuter ${unrunnable.join(', ')} (pas d'émulation). Pour le vérifier, ${EMULATION_FIX.fr}.`,
          `Cannot be checked here: this engine cannot run ${unrunnable.join(', ')} (no emulation). To check it, ${EMULATION_FIX.en}.`,
        ));
      }
      return remember(key, outcome('pass', expected, actual, both(
        `Chaque image tourne comme sa plateforme (${verdicts.map((verdict) => verdict.platform).join(', ')}).`,
        `Each image runs as its platform (${verdicts.map((verdict) => verdict.platform).join(', ')}).`,
      )));
    });
  },
};
