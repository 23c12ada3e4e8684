// A docker command line as the CLI understands it: which command, which flags, which filters. Students spell
// the same command many ways (`rmi` or `image rm`, `-af` or `--all --force`, `--filter=until=24h` or
// `--filter "until=1440m"`); recorded runs are judged on this reading, never on the raw text.

/** One flag of a command: its long name (the canonical key), its one-letter form, whether it takes a value. */
export interface FlagSpec {
  long: string;
  short?: string;
  value?: boolean;
}

export interface CommandSpec {
  /** The spellings of the command, e.g. ["rmi"], ["image", "rm"]. */
  spellings: string[][];
  flags: FlagSpec[];
  /** Changes nothing on the engine: a recorded run answers it from the real engine. */
  readOnly?: boolean;
}

const flag = (long: string, short?: string): FlagSpec => ({ long, short });
const valued = (long: string, short?: string): FlagSpec => ({ long, short, value: true });
const FILTER = valued('filter');
const FORMAT = valued('format');

/** Canonical name → spellings and flags, as docker CLI 20.10 to 28 accept them. */
const COMMANDS: Record<string, CommandSpec> = {
  'image prune': { spellings: [['image', 'prune']], flags: [flag('all', 'a'), flag('force', 'f'), FILTER] },
  'system prune': { spellings: [['system', 'prune']], flags: [flag('all', 'a'), flag('force', 'f'), flag('volumes'), FILTER] },
  'container prune': { spellings: [['container', 'prune']], flags: [flag('force', 'f'), FILTER] },
  'volume prune': { spellings: [['volume', 'prune']], flags: [flag('all', 'a'), flag('force', 'f'), FILTER] },
  'network prune': { spellings: [['network', 'prune']], flags: [flag('force', 'f'), FILTER] },
  'builder prune': {
    spellings: [['builder', 'prune'], ['buildx', 'prune']],
    flags: [flag('all', 'a'), flag('force', 'f'), FILTER, valued('keep-storage'), valued('reserved-space'), valued('max-used-space'), valued('min-free-space'), valued('builder')],
  },
  'image rm': { spellings: [['rmi'], ['image', 'rm'], ['image', 'remove']], flags: [flag('force', 'f'), flag('no-prune'), valued('platform')] },
  'container rm': { spellings: [['rm'], ['container', 'rm'], ['container', 'remove']], flags: [flag('force', 'f'), flag('volumes', 'v'), flag('link', 'l')] },
  'volume rm': { spellings: [['volume', 'rm'], ['volume', 'remove']], flags: [flag('force', 'f')] },
  'container stop': { spellings: [['stop'], ['container', 'stop']], flags: [valued('time', 't'), valued('signal', 's')] },
  'container kill': { spellings: [['kill'], ['container', 'kill']], flags: [valued('signal', 's')] },
  'image save': { spellings: [['save'], ['image', 'save']], flags: [valued('output', 'o'), valued('platform')] },
  'image ls': {
    spellings: [['images'], ['image', 'ls'], ['image', 'list']],
    flags: [flag('all', 'a'), flag('quiet', 'q'), valued('filter', 'f'), FORMAT, flag('digests'), flag('no-trunc'), flag('tree')],
    readOnly: true,
  },
  'container ls': {
    spellings: [['ps'], ['container', 'ls'], ['container', 'list'], ['container', 'ps']],
    flags: [flag('all', 'a'), flag('quiet', 'q'), valued('filter', 'f'), FORMAT, valued('last', 'n'), flag('latest', 'l'), flag('no-trunc'), flag('size', 's')],
    readOnly: true,
  },
  'system df': { spellings: [['system', 'df']], flags: [flag('verbose', 'v'), FORMAT], readOnly: true },
  'inspect': { spellings: [['inspect']], flags: [FORMAT, flag('size', 's'), valued('type')], readOnly: true },
  'image inspect': { spellings: [['image', 'inspect']], flags: [FORMAT, valued('platform')], readOnly: true },
  'container inspect': { spellings: [['container', 'inspect']], flags: [FORMAT, flag('size', 's')], readOnly: true },
  'image history': { spellings: [['history'], ['image', 'history']], flags: [FORMAT, flag('human', 'H'), flag('no-trunc'), flag('quiet', 'q'), valued('platform')], readOnly: true },
  'volume ls': { spellings: [['volume', 'ls'], ['volume', 'list']], flags: [valued('filter', 'f'), FORMAT, flag('quiet', 'q'), flag('cluster')], readOnly: true },
  'volume inspect': { spellings: [['volume', 'inspect']], flags: [FORMAT], readOnly: true },
  'network ls': { spellings: [['network', 'ls'], ['network', 'list']], flags: [valued('filter', 'f'), FORMAT, flag('quiet', 'q'), flag('no-trunc')], readOnly: true },
  'network inspect': { spellings: [['network', 'inspect']], flags: [FORMAT, flag('verbose', 'v')], readOnly: true },
  'system info': { spellings: [['info'], ['system', 'info']], flags: [FORMAT], readOnly: true },
  'version': { spellings: [['version']], flags: [FORMAT], readOnly: true },
  // A release (exercise 9): build, tag and push change state, so a recorded run pretends them.
  'image build': {
    spellings: [['build'], ['image', 'build'], ['buildx', 'build'], ['builder', 'build']],
    flags: [valued('tag', 't'), valued('file', 'f'), valued('build-arg'), valued('platform'), valued('target'), valued('label'), valued('progress'), flag('no-cache'), flag('pull'), flag('quiet', 'q'), flag('load'), flag('push')],
  },
  'image tag': { spellings: [['tag'], ['image', 'tag']], flags: [] },
  'image push': { spellings: [['push'], ['image', 'push']], flags: [flag('all-tags', 'a'), flag('quiet', 'q'), valued('platform'), flag('disable-content-trust')] },
};

/** Options of the docker binary itself, before the command: skipped when reading the command. */
const GLOBAL_FLAGS: FlagSpec[] = [
  valued('host', 'H'), valued('context', 'c'), valued('config'), valued('log-level', 'l'), flag('debug', 'D'),
  flag('tls'), flag('tlsverify'), valued('tlscacert'), valued('tlscert'), valued('tlskey'),
];

/**
 * The table itself, for the one other reader of command lines: the shell shim of recorded runs
 * (shell-shim.ts), whose parser is generated from it so the two can never disagree on what only reads.
 */
export function commandTable(): { commands: Readonly<Record<string, CommandSpec>>; globals: readonly FlagSpec[] } {
  return { commands: COMMANDS, globals: GLOBAL_FLAGS };
}

/** Filters are `key=value`; values that mean the same are written one way (see canonicalFilterValue). */
export interface Filter {
  key: string;
  value: string;
}

export interface DockerCommand {
  /** The arguments exactly as the script gave them (without the leading `docker`). */
  argv: string[];
  /** Canonical name such as "image prune", or the words read when the command is not one this module knows. */
  command: string;
  /** Canonical long flag name → its value (true for a switch that is on; false when written --x=false). */
  flags: Record<string, string | boolean>;
  filters: Filter[];
  /** Positional arguments (image IDs, names...). */
  args: string[];
  /** Every value of a flag given more than once (`build -t a -t b`), in order; `flags` keeps the last. */
  values: Array<[string, string]>;
  readOnly: boolean;
}

function findSpec(words: string[]): { name: string; spec: CommandSpec; used: number } | undefined {
  let best: { name: string; spec: CommandSpec; used: number } | undefined;
  for (const [name, spec] of Object.entries(COMMANDS)) {
    for (const spelling of spec.spellings) {
      if (spelling.every((word, index) => words[index] === word) && (!best || spelling.length > best.used)) best = { name, spec, used: spelling.length };
    }
  }
  return best;
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

/**
 * Reads flags the way the CLI's flag library (pflag) does: `--name`, `--name=value`, `--name value`, bundled
 * switches `-af`, and `-fvalue` / `-f value` for a one-letter flag that takes a value. `--` ends the flags.
 */
function readFlags(tokens: string[], specs: FlagSpec[], stopAtWord: boolean) {
  const flags: Record<string, string | boolean> = {};
  const values: Array<[string, string]> = [];
  const words: string[] = [];
  let index = 0;
  const set = (spec: FlagSpec | undefined, name: string, value: string | undefined, next: () => string | undefined) => {
    const key = spec?.long ?? name;
    if (spec?.value) {
      const given = value ?? next() ?? '';
      values.push([key, given]);
      flags[key] = given;
    } else {
      flags[key] = value === undefined ? true : (BOOLEAN_WORDS[value.toLowerCase()] ?? value);
    }
  };
  const next = () => tokens[++index];
  for (; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token === '--') {
      words.push(...tokens.slice(index + 1));
      break;
    }
    if (token.startsWith('--')) {
      const [name, ...rest] = token.slice(2).split('=');
      set(specs.find((spec) => spec.long === name), name!, rest.length ? rest.join('=') : undefined, next);
    } else if (token.startsWith('-') && token.length > 1) {
      for (let at = 1; at < token.length; at++) {
        const letter = token[at]!;
        const spec = specs.find((candidate) => candidate.short === letter);
        if (spec?.value) {
          const attached = token.slice(at + 1).replace(/^=/, '');
          set(spec, letter, attached || undefined, next);
          break;
        }
        set(spec, letter, undefined, next);
      }
    } else {
      words.push(token);
      if (stopAtWord) {
        words.push(...tokens.slice(index + 1));
        break;
      }
    }
  }
  return { flags, values, words };
}

/** Parses a Go duration ("24h", "1440m", "1h30m", "86400s"): seconds, or undefined when it is not one. */
export function goDurationSeconds(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (!parts.length || parts.map((part) => part[0]).join('') !== text) return undefined;
  return parts.reduce((total, part) => total + Number(part[1]) * units[part[2]!]!, 0);
}

/** One spelling per meaning: until=1440m → until=86400s; dangling=1 → dangling=true. */
export function canonicalFilterValue(key: string, value: string): string {
  if (key === 'until') {
    const seconds = goDurationSeconds(value.trim());
    return seconds === undefined ? value.trim() : `${seconds}s`;
  }
  if (key === 'dangling') {
    const truth = BOOLEAN_WORDS[value.trim().toLowerCase()];
    return truth === undefined ? value : String(truth);
  }
  return value;
}

function readFilter(text: string): Filter {
  const at = text.indexOf('=');
  const key = (at < 0 ? text : text.slice(0, at)).trim().toLowerCase();
  return { key, value: at < 0 ? '' : canonicalFilterValue(key, text.slice(at + 1)) };
}

/** Reads one docker command line (its arguments, without `docker`). */
export function parseDockerCommand(argv: string[]): DockerCommand {
  const globals = readFlags(argv, GLOBAL_FLAGS, true);
  const words = globals.words;
  const found = findSpec(words);
  const rest = words.slice(found?.used ?? 0);
  const read = readFlags(rest, found?.spec.flags ?? [], false);
  const command = found?.name ?? words.filter((word) => !word.startsWith('-')).slice(0, 2).join(' ');
  const filters = read.values.filter(([key]) => key === 'filter').map(([, value]) => readFilter(value));
  return { argv, command, flags: read.flags, filters, args: read.words, values: read.values, readOnly: found?.spec.readOnly === true };
}

/** The subcommands a recorded run forwards to the real engine: they only read. */
export function isReadOnly(argv: string[]): boolean {
  return parseDockerCommand(argv).readOnly;
}

/** How a flag is written in messages: "-a/--all". */
export function flagSpelling(command: string, long: string): string {
  const spec = COMMANDS[command]?.flags.find((candidate) => candidate.long === long);
  return spec?.short ? `-${spec.short}/--${long}` : `--${long}`;
}

/** The command line as a student would read it back, quoted where the shell needs it. */
export function showCommand(argv: string[]): string {
  const quote = (word: string) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
  return ['docker', ...argv.map(quote)].join(' ');
}
