import { z } from 'zod';
import { both } from '../lab/text.js';
import { registryContents, type RepositoryContents } from '../registry/api.js';
import { guardRegistry } from './registry-guard.js';
import { dayForms, readListing, type KnownTags, type Listing } from './registry-listing.js';
import { scriptMissing, scriptRunProblem } from './script-outcome.js';
import { outcome, type Outcome, type ProbeClients, type ProbeKind } from './types.js';
import { serveCheckTimeRegistry } from '../registry/check-time-server.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-listing-script'),
    script: z.string().regex(/^[^/].*\.sh$/).describe("The student's script, relative to the workdir; run with bash and REGISTRY=<the lab's registry>"),
    timeoutSeconds: z.number().int().positive().max(300).default(30).describe('Time limit of one run'),
    stale: z
      .array(z.strictObject({ repository: z.string(), tag: z.string() }))
      .default([])
      .describe('Tags the exercise deleted: listing one the registry no longer holds means stale data'),
  })
  .describe(
    "The student's script lists what the lab registry really holds: every repository, each of its tags under it with its creation date (YYYY-MM-DD), and no deleted tag",
  );
type Spec = z.infer<typeof schema>;

/** Every repository of the registry with the tags it may be listed with (held ones, and deleted ones). */
function knownTags(contents: RepositoryContents[], stale: Spec['stale']): KnownTags {
  const known: KnownTags = new Map(contents.map(({ repository, tags }) => [repository, new Set(tags.map(({ tag }) => tag))]));
  for (const { repository, tag } of stale) {
    if (!known.has(repository)) known.set(repository, new Set());
    known.get(repository)!.add(tag);
  }
  return known;
}

const ref = (repository: string, tag?: string) => (tag ? `${repository}:${tag}` : repository);

/** What is wrong with one tag the registry holds: not listed, listed under another repository, or no date. */
function judgeTag(listing: Listing, repository: string, tag: string, created: string | null): Outcome['message'] | undefined {
  const lines = listing.tags.filter((entry) => entry.repository === repository && entry.tag === tag).map((entry) => entry.line);
  if (!lines.length) {
    const elsewhere = listing.tags.find((entry) => entry.tag === tag && entry.repository !== repository);
    return elsewhere
      ? both(
          `La sortie range le tag ${tag} sous le dépôt ${elsewhere.repository}, et ne le cite pas sous ${repository} : chaque tag doit apparaître sous son propre dépôt.`,
          `The output files the tag ${tag} under the repository ${elsewhere.repository}, and not under ${repository}: each tag belongs under its own repository.`,
        )
      : both(`La sortie ne cite pas ${ref(repository, tag)}.`, `The output does not list ${ref(repository, tag)}.`);
  }
  if (created && !lines.some((line) => dayForms(created).some((day) => line.includes(day)))) {
    return both(
      `Aucune ligne ne donne ${ref(repository, tag)} avec sa date de création (lue dans la configuration de l'image).`,
      `No line gives ${ref(repository, tag)} with its creation date (read from the image's configuration).`,
    );
  }
  return undefined;
}

/** The first thing wrong with the script's output, or undefined when it matches the registry. */
function judgeOutput(listing: Listing, contents: RepositoryContents[], stale: Spec['stale']): Outcome['message'] | undefined {
  for (const { repository, tags } of contents) {
    if (tags.length && !listing.repositories.has(repository)) {
      return both(`La sortie ne cite pas le dépôt ${ref(repository)}.`, `The output does not name the repository ${ref(repository)}.`);
    }
    for (const { tag, created } of tags) {
      const problem = judgeTag(listing, repository, tag, created);
      if (problem) return problem;
    }
  }
  for (const { repository, tag } of stale) {
    const held = contents.find((entry) => entry.repository === repository)?.tags.some((entry) => entry.tag === tag);
    if (!held && listing.tags.some((entry) => entry.repository === repository && entry.tag === tag)) {
      return both(
        `La sortie cite ${ref(repository, tag)}, que le registre ne contient plus : le script affiche des données périmées.`,
        `The output lists ${ref(repository, tag)}, which the registry no longer holds: the script prints stale data.`,
      );
    }
  }
  return undefined;
}

/** One run of the script against `address` holding `contents`: the outcome of a failed run, or the listing. */
async function runAgainst(spec: Spec, processes: ProbeClients['processes'], address: string, contents: RepositoryContents[], stale: Spec['stale'], expected: string) {
  const result = await processes.run('bash', [spec.script], { timeoutMs: spec.timeoutSeconds * 1000, env: { REGISTRY: address } });
  const failed = scriptRunProblem(spec.script, result, spec.timeoutSeconds, expected);
  if (failed) return { failed };
  const listing = readListing(result.stdout, knownTags(contents, stale), address);
  const held = contents.flatMap(({ repository, tags }) => tags.map(({ tag }) => `${repository}:${tag}`));
  const read = listing.tags.map((entry) => `${entry.repository}:${entry.tag}`);
  return { held, actual: `listed ${read.join(', ') || 'no tag'}; registry holds ${held.join(', ') || 'nothing'}`, problem: judgeOutput(listing, contents, stale) };
}

/**
 * The same script run against a registry made up at check time (other repositories, tags and dates, a tag list
 * that is null, catalog pages of two): fixed lines copied from the lab registry cannot pass it.
 */
async function checkTimeProblem(spec: Spec, processes: ProbeClients['processes'], expected: string): Promise<Outcome | undefined> {
  const invented = await serveCheckTimeRegistry();
  try {
    const run = await runAgainst(spec, processes, invented.address, invented.contents, [], expected);
    const problem = run.failed?.message ?? run.problem;
    if (!problem) return undefined;
    return outcome('fail', expected, `against ${invented.address} (made up at check time): ${run.failed?.actual ?? run.actual}`, both(
      `Relancé avec REGISTRY=${invented.address}, un registre inventé au moment de la vérification (d'autres dépôts, tags et dates), ${spec.script} se trompe : ${problem.fr} Il doit lire le registre que désigne REGISTRY à chaque exécution, pas afficher des lignes fixes.`,
      `Run again with REGISTRY=${invented.address}, a registry made up at check time (other repositories, tags and dates), ${spec.script} gets it wrong: ${problem.en} It must read the registry REGISTRY names at every run, not print fixed lines.`,
    ));
  } finally {
    await invented.close();
  }
}

export const registryListingScript: ProbeKind<Spec> = {
  kind: 'registry-listing-script',
  schema,
  inputs: { files: ['script'], registry: true },
  // Side effects: it runs the student's script, which may do anything.
  sideEffects: true,
  async run(spec, { registry, files, processes }) {
    const expected = `${spec.script} lists every repository of ${registry.address}, each tag under its repository with its creation date`;
    const file = await files.stat(spec.script);
    if (!file?.isFile) return scriptMissing(spec.script, expected);
    return guardRegistry(expected, async () => {
      const contents = await registryContents(registry);
      const run = await runAgainst(spec, processes, registry.address, contents, spec.stale, expected);
      if (run.failed) return run.failed;
      if (run.problem) return outcome('fail', expected, run.actual, run.problem);
      const invented = await checkTimeProblem(spec, processes, expected);
      if (invented) return invented;
      return outcome('pass', expected, run.actual, both(
        `${spec.script} liste fidèlement le registre (${run.held.length} tags), et tout autre registre qu'on lui donne.`,
        `${spec.script} lists the registry faithfully (${run.held.length} tags), and any other registry it is given.`,
      ));
    });
  },
};
