import { z } from 'zod';
import { both } from '../lab/text.js';
import { registryContents, type RepositoryContents } from '../registry/api.js';
import { guardRegistry } from './registry-guard.js';
import { dayForms, readListing, type KnownTags, type Listing } from './registry-listing.js';
import { scriptMissing, scriptRunProblem } from './script-outcome.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

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
      const result = await processes.run('bash', [spec.script], { timeoutMs: spec.timeoutSeconds * 1000, env: { REGISTRY: registry.address } });
      const failed = scriptRunProblem(spec.script, result, spec.timeoutSeconds, expected);
      if (failed) return failed;
      const listing = readListing(result.stdout, knownTags(contents, spec.stale), registry.address);
      const held = contents.flatMap(({ repository, tags }) => tags.map(({ tag }) => `${repository}:${tag}`));
      const read = listing.tags.map((entry) => `${entry.repository}:${entry.tag}`);
      const actual = `listed ${read.join(', ') || 'no tag'}; registry holds ${held.join(', ') || 'nothing'}`;
      const problem = judgeOutput(listing, contents, spec.stale);
      if (problem) return outcome('fail', expected, actual, problem);
      return outcome('pass', expected, actual, both(
        `${spec.script} liste fidèlement le registre (${held.length} tags).`,
        `${spec.script} lists the registry faithfully (${held.length} tags).`,
      ));
    });
  },
};
