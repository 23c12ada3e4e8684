// Rules on the docker commands a recorded run made: "this mode runs `docker image prune` with -f and
// without -a", written as data in the lab file and judged on the meaning of each command line.
import { z } from 'zod';
import { both, type Localized } from '../lab/text.js';
import { canonicalFilterValue, flagSpelling, parseDockerCommand, showCommand, type DockerCommand } from './docker-command.js';

export const CommandPattern = z
  .strictObject({
    command: z.string().min(1).describe('The command by its canonical name: "image prune", "system prune", "builder prune", "image rm"...'),
    flags: z
      .record(z.string(), z.boolean())
      .default({})
      .describe('Long flag name → true when it must be given (in any spelling: -a, --all, -af), false when it must not'),
    filters: z
      .record(z.string(), z.string().nullable())
      .default({})
      .describe('Filter key → the value it must have (compared by meaning: until=24h equals until=1440m), or null when it must be absent'),
  })
  .describe('A docker command a recorded run must make');
export type CommandPattern = z.infer<typeof CommandPattern>;

/** One line a recorded run wrote: the arguments of one docker call and, for a forwarded read, what it printed. */
export interface RecordedCall {
  argv: string[];
  stdout?: string;
}

function isSet(command: DockerCommand, long: string): boolean {
  const value = command.flags[long];
  return value !== undefined && value !== false;
}

/** What differs between a command and a pattern of the same name, in words; empty when it matches. */
function differences(command: DockerCommand, pattern: CommandPattern): Localized[] {
  const found: Localized[] = [];
  for (const [long, wanted] of Object.entries(pattern.flags)) {
    const spelled = flagSpelling(pattern.command, long);
    if (wanted && !isSet(command, long)) found.push(both(`il manque ${spelled}`, `${spelled} is missing`));
    if (!wanted && isSet(command, long)) found.push(both(`${spelled} ne doit pas y être`, `${spelled} must not be there`));
  }
  for (const [key, wanted] of Object.entries(pattern.filters)) {
    const given = command.filters.filter((filter) => filter.key === key);
    if (wanted === null) {
      if (given.length) found.push(both(`le filtre ${key} ne doit pas y être`, `the ${key} filter must not be there`));
    } else if (!given.some((filter) => filter.value === canonicalFilterValue(key, wanted))) {
      const shown = given.length ? given.map((filter) => `${key}=${filter.value}`).join(', ') : '';
      found.push(both(
        `il manque le filtre ${key}=${wanted}${shown ? ` (trouvé : ${shown})` : ''}`,
        `the filter ${key}=${wanted} is missing${shown ? ` (found: ${shown})` : ''}`,
      ));
    }
  }
  return found;
}

export function matches(command: DockerCommand, pattern: CommandPattern): boolean {
  return command.command === pattern.command && differences(command, pattern).length === 0;
}

/**
 * `docker rmi $(docker images -f dangling=true -q)` removes exactly what `docker image prune -f` does: an
 * image removal whose every argument came out of a listing of dangling image IDs reads as that prune.
 */
function asDanglingPrune(command: DockerCommand, earlier: Array<{ command: DockerCommand; stdout: string }>): DockerCommand {
  if (command.command !== 'image rm') return command;
  const listings = earlier.filter(({ command: listing }) =>
    listing.command === 'image ls' && isSet(listing, 'quiet') && listing.filters.some((filter) => filter.key === 'dangling' && filter.value === 'true'));
  const listed = listings.flatMap(({ stdout }) => stdout.split(/\s+/).filter(Boolean));
  const fromListing = (arg: string) => listed.some((id) => id.replace(/^sha256:/, '').startsWith(arg.replace(/^sha256:/, '')));
  if (!listings.length || !command.args.every(fromListing)) return command;
  return { ...command, command: 'image prune', flags: { force: true }, filters: [] };
}

/**
 * `docker system prune -a --volumes` is the container, image (-a), volume and network prunes in one: a run
 * that makes all four reads as it, each of the four standing for the whole (so none is "something else").
 */
function asSystemPrune(commands: DockerCommand[]): DockerCommand[] {
  const parts = ['container prune', 'image prune', 'volume prune', 'network prune'];
  const found = parts.map((name) => commands.find((command) => command.command === name && (name !== 'image prune' || isSet(command, 'all'))));
  if (found.some((command) => !command)) return commands;
  const force = found.every((command) => isSet(command!, 'force'));
  const whole = { command: 'system prune', flags: { all: true, volumes: true, ...(force ? { force: true } : {}) }, filters: [] };
  return commands.map((command) => (found.includes(command) ? { ...command, ...whole } : command));
}

/** The recorded calls read as commands, equivalent spellings made one. */
export function readCalls(calls: RecordedCall[]): DockerCommand[] {
  const seen: Array<{ command: DockerCommand; stdout: string }> = [];
  return asSystemPrune(calls.map((call) => {
    const command = asDanglingPrune(parseDockerCommand(call.argv), seen);
    seen.push({ command, stdout: call.stdout ?? '' });
    return command;
  }));
}

/** The pattern as a student reads it: "docker image prune with -f/--force, without -a/--all". */
export function describePattern(pattern: CommandPattern): Localized {
  const withFr: string[] = [];
  const withEn: string[] = [];
  const withoutFr: string[] = [];
  const withoutEn: string[] = [];
  for (const [long, wanted] of Object.entries(pattern.flags)) {
    (wanted ? withFr : withoutFr).push(flagSpelling(pattern.command, long));
    (wanted ? withEn : withoutEn).push(flagSpelling(pattern.command, long));
  }
  for (const [key, value] of Object.entries(pattern.filters)) {
    if (value === null) {
      withoutFr.push(`filtre ${key}`);
      withoutEn.push(`${key} filter`);
    } else {
      withFr.push(`--filter ${key}=${value}`);
      withEn.push(`--filter ${key}=${value}`);
    }
  }
  const fr = [withFr.length ? `avec ${withFr.join(', ')}` : '', withoutFr.length ? `sans ${withoutFr.join(', ')}` : ''].filter(Boolean).join(', ');
  const en = [withEn.length ? `with ${withEn.join(', ')}` : '', withoutEn.length ? `without ${withoutEn.join(', ')}` : ''].filter(Boolean).join(', ');
  return both(`docker ${pattern.command}${fr ? ` ${fr}` : ''}`, `docker ${pattern.command}${en ? ` ${en}` : ''}`);
}

/** Why no recorded command matches the pattern: what the closest one (same command) lacks, or that none ran. */
export function whyUnmatched(commands: DockerCommand[], pattern: CommandPattern): Localized {
  const wanted = describePattern(pattern);
  const sameName = commands.filter((command) => command.command === pattern.command);
  if (!sameName.length) return both(`aucune commande ${wanted.fr} n'a été lancée`, `no ${wanted.en} was run`);
  const closest = sameName.map((command) => ({ command, diff: differences(command, pattern) })).sort((a, b) => a.diff.length - b.diff.length)[0]!;
  const shown = showCommand(closest.command.argv);
  return both(
    `${shown} : ${closest.diff.map((text) => text.fr).join(', ')}`,
    `${shown}: ${closest.diff.map((text) => text.en).join(', ')}`,
  );
}
