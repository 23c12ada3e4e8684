import { z } from 'zod';
import { both } from '../lab/text.js';
import { registryContents, type RepositoryContents } from '../registry/api.js';
import { guardRegistry } from './registry-guard.js';
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
    "The student's script lists what the lab registry really holds: every repository, every tag with its creation date (YYYY-MM-DD), and no deleted tag",
  );
type Spec = z.infer<typeof schema>;

/** `tag` standing alone in a line: not inside a longer name such as 1.0.1 or alpine-slim. */
function mentions(line: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9._-])${escaped}($|[^A-Za-z0-9._-])`).test(line);
}

/** How a creation date may be written: ISO day (UTC, or a day off for a local time zone) or DD/MM/YYYY. */
function dayForms(created: string): string[] {
  const time = Date.parse(created);
  if (Number.isNaN(time)) return [created];
  return [-1, 0, 1].flatMap((offset) => {
    const iso = new Date(time + offset * 86_400_000).toISOString().slice(0, 10);
    const [year, month, day] = iso.split('-');
    return [iso, `${day}/${month}/${year}`];
  });
}

/** The first thing wrong with the script's output, or undefined when it matches the registry. */
function judgeOutput(lines: string[], contents: RepositoryContents[], stale: Spec['stale']): Outcome['message'] | undefined {
  const ref = (repository: string, tag?: string) => (tag ? `${repository}:${tag}` : repository);
  for (const { repository, tags } of contents) {
    if (tags.length && !lines.some((line) => mentions(line, repository))) {
      return both(`La sortie ne cite pas le dépôt ${ref(repository)}.`, `The output does not name the repository ${ref(repository)}.`);
    }
    for (const { tag, created } of tags) {
      const tagLines = lines.filter((line) => mentions(line, tag));
      if (!tagLines.length) return both(`La sortie ne cite pas ${ref(repository, tag)}.`, `The output does not list ${ref(repository, tag)}.`);
      if (created && !tagLines.some((line) => dayForms(created).some((day) => line.includes(day)))) {
        return both(
          `Aucune ligne ne donne ${ref(repository, tag)} avec sa date de création (lue dans la configuration de l'image).`,
          `No line gives ${ref(repository, tag)} with its creation date (read from the image's configuration).`,
        );
      }
    }
  }
  for (const { repository, tag } of stale) {
    const held = contents.find((entry) => entry.repository === repository)?.tags.some((entry) => entry.tag === tag);
    if (!held && lines.some((line) => mentions(line, tag))) {
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
  async run(spec, { registry, files, processes }) {
    const expected = `${spec.script} lists every repository, tag and creation date of ${registry.address}`;
    const file = await files.stat(spec.script);
    if (!file?.isFile) {
      return outcome('fail', expected, `${spec.script} not found`, both(
        `${spec.script} est introuvable dans votre dossier de travail.`,
        `${spec.script} is not in your working folder.`,
      ));
    }
    return guardRegistry(expected, async () => {
      const contents = await registryContents(registry);
      const result = await processes.run('bash', [spec.script], { timeoutMs: spec.timeoutSeconds * 1000, env: { REGISTRY: registry.address } });
      const firstError = result.stderr.trim().split('\n')[0] ?? '';
      if (result.timedOut) {
        return outcome('fail', expected, `timed out after ${spec.timeoutSeconds} s`, both(
          `${spec.script} n'a pas fini en ${spec.timeoutSeconds} s.`,
          `${spec.script} did not finish within ${spec.timeoutSeconds} s.`,
        ));
      }
      if (result.exitCode !== 0) {
        return outcome('fail', expected, `exit code ${result.exitCode}${firstError ? `: ${firstError}` : ''}`, both(
          `${spec.script} a échoué (code ${result.exitCode})${firstError ? ` : ${firstError}` : ''}.`,
          `${spec.script} failed (exit code ${result.exitCode})${firstError ? `: ${firstError}` : ''}.`,
        ));
      }
      const lines = result.stdout.split('\n');
      const held = contents.flatMap(({ repository, tags }) => tags.map(({ tag }) => `${repository}:${tag}`));
      const actual = `${lines.filter((line) => line.trim()).length} lines; registry holds ${held.join(', ') || 'nothing'}`;
      const problem = judgeOutput(lines, contents, spec.stale);
      if (problem) return outcome('fail', expected, actual, problem);
      return outcome('pass', expected, actual, both(
        `${spec.script} liste fidèlement le registre (${held.length} tags).`,
        `${spec.script} lists the registry faithfully (${held.length} tags).`,
      ));
    });
  },
};
