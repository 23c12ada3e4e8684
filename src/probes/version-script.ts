import { randomInt } from 'node:crypto';
import { posix } from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import { both, type Localized } from '../lab/text.js';
import { normalisedReference } from '../reference.js';
import { readCalls } from '../scripts/command-rules.js';
import { showCommand } from '../scripts/docker-command.js';
import { releaseTags } from '../versions.js';
import { GIT_ENV, gitTagKind, initScratchRepository, type GitTagKind } from '../scripts/git-repo.js';
import { scriptHostOf } from '../scripts/local-host.js';
import { recordedRun } from '../scripts/recorded-run.js';
import { releaseModel, type ReleaseModel } from '../scripts/release-model.js';
import { lastErrorLine, scriptMissing } from './script-outcome.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const BUMPS = ['major', 'minor', 'patch'] as const;
type Bump = (typeof BUMPS)[number];
const SemverText = z.string().refine((text) => semver.valid(text) === text, { error: 'a version such as 1.9.9' });

const schema = z
  .strictObject({
    kind: z.literal('version-script'),
    script: z.string().regex(/^[^/].*$/).default('version-manager.sh').describe("The student's release script, relative to the workdir"),
    files: z.array(z.string().regex(/^[^/]/)).default(['Dockerfile']).describe('Other files copied into the scratch repository'),
    image: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/).describe('The image name the script releases, pushed as <registry>/<image>'),
    from: SemverText.nullable().describe('The VERSION the scratch repository starts with; null for no VERSION file'),
    bump: z.enum(BUMPS).describe('The argument given to the script'),
    releases: z.array(SemverText).default([]).describe('Earlier releases, as annotated git tags v<version> in the scratch repository'),
    alsoChosenAtCheckTime: z.boolean().default(true).describe('Also run from a version chosen at check time (a script that only knows the lab file fails)'),
    timeoutSeconds: z.number().positive().max(60).default(20),
  })
  .describe('A release script judged by recorded runs in a scratch git repository: VERSION, the docker build, tags and pushes, the annotated git tag');
type Spec = z.infer<typeof schema>;

interface Scenario {
  from: string | null;
  bump: Bump;
  releases: string[];
}
interface Inspected {
  version: string | null;
  tag: GitTagKind;
}

const say = (fr: string, en: string) => both(fr, en);

/** More than any version; what a script wrote there beyond it is not read. */
const MAX_VERSION_BYTES = 4096;

/**
 * A version chosen at check time, in another MAJOR series than the lab's (so no answer written for the lab's
 * version fits it), with parts from 9 up: 9 → 10 must be a number's carry, not a digit's.
 */
function chosenVersion(from: string): string {
  return `${semver.major(from) + randomInt(1, 9)}.${randomInt(9, 20)}.${randomInt(9, 20)}`;
}

/** Why a wrong new version is wrong, from the usual mistakes; a plain statement otherwise. */
function wrongVersion(scenario: Scenario, expected: string, found: string | null): Localized {
  const from = scenario.from ?? '0.0.0';
  if (found === null) return say("le script n'a pas écrit de fichier VERSION", 'the script wrote no VERSION file');
  if (found === from) return say(`VERSION est resté à ${from}`, `VERSION stayed at ${from}`);
  const start = semver.parse(from)!;
  const got = semver.parse(found);
  if (scenario.bump === 'minor' && got && got.major === start.major && got.minor === start.minor + 1 && got.patch === start.patch) {
    return say(`${found} au lieu de ${expected} : monter MINOR remet PATCH à 0`, `${found} instead of ${expected}: a MINOR bump resets PATCH to 0`);
  }
  if (scenario.bump === 'major' && got && got.major === start.major + 1 && (got.minor !== 0 || got.patch !== 0)) {
    return say(`${found} au lieu de ${expected} : monter MAJOR remet MINOR et PATCH à 0`, `${found} instead of ${expected}: a MAJOR bump resets MINOR and PATCH to 0`);
  }
  const textMax = [...scenario.releases].sort().pop();
  if (textMax && scenario.releases.length > 1 && found === semver.inc(textMax, scenario.bump)) {
    return say(
      `${found} au lieu de ${expected} : les versions ont été triées comme du texte (« 1.10.0 » avant « 1.9.0 ») ; comparez-les nombre par nombre (sort -V)`,
      `${found} instead of ${expected}: the versions were sorted as text ("1.10.0" before "1.9.0"); compare them number by number (sort -V)`,
    );
  }
  if (!got) return say(`VERSION contient « ${found} », qui n'est pas une version MAJOR.MINOR.PATCH`, `VERSION holds "${found}", which is not a MAJOR.MINOR.PATCH version`);
  return say(`${found} au lieu de ${expected}`, `${found} instead of ${expected}`);
}

/** What is wrong with the build, tags and pushes of one run, or undefined. */
function wrongRelease(model: ReleaseModel, registry: string, image: string, version: string): Localized | undefined {
  if (!model.built) return say("aucun docker build n'a été lancé", 'no docker build was run');
  if (!model.pushed.size) return say("rien n'a été poussé (docker push)", 'nothing was pushed (docker push)');
  for (const tag of releaseTags(version)) {
    const ref = `${registry}/${image}:${tag}`;
    const pushed = model.pushed.get(normalisedReference(ref));
    if (!pushed) return say(`${ref} n'a pas été poussé`, `${ref} was not pushed`);
    if (pushed.built) continue;
    if (tag === 'latest') {
      return say(
        `${ref} a été poussé depuis ${pushed.from}, pas depuis l'image construite : latest est resté sur l'ancienne version`,
        `${ref} was pushed from ${pushed.from}, not from the image just built: latest was left on the old version`,
      );
    }
    return say(`${ref} a été poussé depuis ${pushed.from}, pas depuis l'image construite`, `${ref} was pushed from ${pushed.from}, not from the image just built`);
  }
  return undefined;
}

function wrongGitTag(kind: GitTagKind, tag: string): Localized | undefined {
  if (kind === 'annotated') return undefined;
  if (kind === 'lightweight') {
    return say(`le tag git ${tag} est un tag léger : créez un tag annoté (git tag -a ${tag} -m …), qui garde auteur, date et message`, `git tag ${tag} is a lightweight tag: make an annotated one (git tag -a ${tag} -m …), which keeps author, date and message`);
  }
  return say(`aucun tag git ${tag} n'a été créé`, `no git tag ${tag} was made`);
}

async function runScenario(spec: Spec, scenario: Scenario, clients: Parameters<ProbeKind<Spec>['run']>[1]): Promise<{ outcome?: Localized; actual: string }> {
  const expected = semver.inc(scenario.from ?? '0.0.0', scenario.bump)!;
  const host = scriptHostOf(clients);
  const run = await recordedRun(
    host,
    {
      workdir: clients.workdir,
      script: spec.script,
      args: [scenario.bump],
      files: spec.files,
      timeoutMs: spec.timeoutSeconds * 1000,
      engineHost: clients.engine.host,
      engineAddress: clients.engine.address,
      env: GIT_ENV,
      setup: async (work) => {
        await host.remove(posix.join(work, 'VERSION'));
        if (scenario.from !== null) await host.writeFile(posix.join(work, 'VERSION'), `${scenario.from}\n`);
        await initScratchRepository(host, work, scenario.releases.map((version) => `v${version}`));
      },
    },
    async (work): Promise<Inspected> => ({
      version: (await host.readHead(posix.join(work, 'VERSION'), MAX_VERSION_BYTES))?.toString('utf8').trim() ?? null,
      tag: await gitTagKind(host, work, `v${expected}`),
    }),
  );
  const calls = readCalls(run.calls);
  const actual = `VERSION ${run.inspected.version ?? 'absent'}; ${calls.map((call) => showCommand(call.argv)).join('; ') || 'no docker command'}; git tag v${expected}: ${run.inspected.tag}`;
  if (run.timedOut) return { actual, outcome: say(`pas fini en ${spec.timeoutSeconds} s`, `did not finish within ${spec.timeoutSeconds} s`) };
  if (run.exitCode !== 0) {
    const line = lastErrorLine(run.stderr);
    return { actual, outcome: say(`a échoué (code ${run.exitCode})${line ? ` : ${line}` : ''}`, `failed (exit ${run.exitCode})${line ? `: ${line}` : ''}`) };
  }
  if (run.inspected.version !== expected) return { actual, outcome: wrongVersion(scenario, expected, run.inspected.version) };
  const release = wrongRelease(releaseModel(calls), clients.registry.address, spec.image, expected);
  if (release) return { actual, outcome: release };
  return { actual, outcome: wrongGitTag(run.inspected.tag, `v${expected}`) };
}

function describeScenario(spec: Spec, scenario: Scenario): string {
  const start = scenario.from === null ? 'no VERSION' : `VERSION ${scenario.from}`;
  const releases = scenario.releases.length ? `, releases ${scenario.releases.join(', ')}` : '';
  return `${spec.script} ${scenario.bump} (${start}${releases})`;
}

export const versionScript: ProbeKind<Spec> = {
  kind: 'version-script',
  schema,
  inputs: { files: ['script', 'files'] },
  sideEffects: true,
  async run(spec, clients) {
    const scenarios: Scenario[] = [{ from: spec.from, bump: spec.bump, releases: spec.releases }];
    if (spec.alsoChosenAtCheckTime && spec.from !== null && !spec.releases.length) scenarios.push({ from: chosenVersion(spec.from), bump: spec.bump, releases: [] });
    const first = scenarios[0]!;
    const version = semver.inc(first.from ?? '0.0.0', first.bump)!;
    const expected = `${describeScenario(spec, first)} → ${version}: ${clients.registry.address}/${spec.image}:{${releaseTags(version).join(',')}} pushed from the build, annotated git tag v${version}`;
    const script = await clients.files.stat(spec.script);
    if (!script?.isFile) return scriptMissing(spec.script, expected);
    // Each scenario has its own scratch folder: they run side by side.
    const results = await Promise.all(scenarios.map((scenario) => runScenario(spec, scenario, clients)));
    const failed = results.findIndex((result) => result.outcome);
    if (failed >= 0) {
      const { outcome: why, actual } = results[failed]!;
      const command = describeScenario(spec, scenarios[failed]!);
      return outcome('fail', expected, actual, both(`${command} : ${why!.fr}.`, `${command}: ${why!.en}.`));
    }
    const actuals = results.map((result) => result.actual);
    const versions = scenarios.map((scenario) => `${scenario.from ?? '(none)'} → ${semver.inc(scenario.from ?? '0.0.0', scenario.bump)}`).join(', ');
    return outcome('pass', expected, actuals.join(' | '), both(
      `${spec.script} ${spec.bump} publie juste (${versions}) : build, quatre tags poussés, tag git annoté (exécution enregistrée, rien n'a été poussé).`,
      `${spec.script} ${spec.bump} releases right (${versions}): build, four tags pushed, annotated git tag (recorded run, nothing was pushed).`,
    ));
  },
};
