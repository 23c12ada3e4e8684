// The `docker` a recorded run puts first on the script's PATH, as a POSIX shell script: no node, no jq, so a
// call costs a few milliseconds instead of a node start-up (~100 ms each, most of exercise 9's check), and it
// runs wherever the student's script runs (this machine, or the student's over SSH). It records every command
// line (read back by record.ts), forwards the commands that only read to the real docker CLI against the real
// engine, and answers the others with a plausible success without doing them (a save writes a short stand-in
// naming its images: see save-stand-in.ts). Its parser is generated from the command table of
// docker-command.ts, so the shim and the judges never disagree on what a command line is.
import { commandTable, type CommandSpec, type FlagSpec } from './docker-command.js';
import { STAND_IN_HEADER } from './save-stand-in.js';

/** What the record keeps of a forwarded command's output: enough to tie `docker rmi $(...)` to a listing. */
export const MAX_RECORDED_OUTPUT = 64 * 1024;

export interface ShimSettings {
  /** The run's scratch folder: the only place the shim writes (the record, a save's stand-in). */
  scratch: string;
  /** Where the calls are appended (see record.ts). */
  record: string;
  /** A folder for each call's temporary files. */
  calls: string;
  /** The real docker CLI that answers reads; none: a read fails as a missing command would. */
  docker: string | undefined;
  /** The engine reads are answered from (DOCKER_HOST of the forwarded call). */
  engineHost: string;
}

/** A word as one single-quoted shell word, whatever it holds. */
export const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** A shell function telling whether $1 is one of `words`. */
const oneOf = (fn: string, words: readonly string[]) =>
  (words.length ? `${fn}() { case $1 in ${words.map(shellQuote).join('|')}) return 0 ;; esac; return 1; }` : `${fn}() { return 1; }`);

/** Flag names go inside space-separated lists the shim searches: they must be plain words. */
function plain(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(name)) throw new Error(`docker-command.ts: flag name ${JSON.stringify(name)} cannot be generated into the shell shim`);
  return name;
}

function globalsTable(globals: readonly FlagSpec[]): string {
  const valued = globals.filter((flag) => flag.value);
  return [
    oneOf('tp7_global_valued', valued.map((flag) => plain(flag.long))),
    oneOf('tp7_global_short_valued', valued.flatMap((flag) => (flag.short ? [plain(flag.short)] : []))),
  ].join('\n');
}

/** tp7_find: the command named by the first one or two words ($1 $2), the longest spelling first, as findSpec. */
function findTable(commands: Readonly<Record<string, CommandSpec>>): string {
  const byFirst = new Map<string, { one?: string; two: Map<string, string> }>();
  for (const [name, spec] of Object.entries(commands)) {
    for (const spelling of spec.spellings) {
      if (spelling.length < 1 || spelling.length > 2) throw new Error(`docker-command.ts: the shell shim reads spellings of one or two words, not ${spelling.join(' ')}`);
      const entry = byFirst.get(spelling[0]!) ?? { two: new Map<string, string>() };
      byFirst.set(spelling[0]!, entry);
      // As findSpec: among spellings of one length, the first in the table wins.
      if (spelling.length === 1) entry.one ??= name;
      else if (!entry.two.has(spelling[1]!)) entry.two.set(spelling[1]!, name);
    }
  }
  const branches = [...byFirst].map(([first, { one, two }]) => {
    const inner = [...two].map(([second, name]) => `        ${shellQuote(second)}) CMD=${shellQuote(name)}; USED=2 ;;`);
    if (one) inner.push(`        *) CMD=${shellQuote(one)}; USED=1 ;;`);
    return [`    ${shellQuote(first)})`, '      case $2 in', ...inner, '      esac ;;'].join('\n');
  });
  return ['tp7_find() {', '  CMD=; USED=0', '  [ $# -ge 2 ] || set -- "$1" "tp7 none"', '  case $1 in', ...branches, '  esac', '}'].join('\n');
}

/** tp7_spec: for the command CMD, RO=1 when it only reads, VALUED its flags taking a value, SHORTS letter=long. */
function specTable(commands: Readonly<Record<string, CommandSpec>>): string {
  const branches = Object.entries(commands).map(([name, spec]) => {
    const valued = spec.flags.filter((flag) => flag.value).map((flag) => plain(flag.long));
    const shorts = spec.flags.flatMap((flag) => (flag.short ? [`${plain(flag.short)}=${plain(flag.long)}`] : []));
    return `    ${shellQuote(name)}) RO=${spec.readOnly ? 1 : 0}; VALUED=' ${valued.join(' ')} '; SHORTS=' ${shorts.join(' ')} ' ;;`;
  });
  return ['tp7_spec() {', "  RO=0; VALUED=' '; SHORTS=' '", '  case $CMD in', ...branches, '  esac', '}'].join('\n');
}

/** The parts of the shim that come from the command table. */
export function shimTables(): string {
  const { commands, globals } = commandTable();
  return [globalsTable(globals), findTable(commands), specTable(commands)].join('\n');
}

// The fixed part. Functions set global variables (POSIX sh has no arrays or locals); every argument is
// handled as "$1" or "$@", never split or globbed. In this template literal, \\ stands for \ and \${ for ${.
const BODY = `
unset CDPATH
PART=$CALLS/$$

# Skips docker's own options before the command (-H host, --context=x, -D...): GLOBALS is how many words.
tp7_globals() {
  GLOBALS=0
  while [ $# -gt 0 ]; do
    case $1 in
      --) GLOBALS=$((GLOBALS + 1)); return ;;
      --*=*) ;;
      --*) if tp7_global_valued "\${1#--}" && [ $# -gt 1 ]; then shift; GLOBALS=$((GLOBALS + 1)); fi ;;
      -?*)
        rest=\${1#-}
        while [ -n "$rest" ]; do
          letter=\${rest%"\${rest#?}"}; rest=\${rest#?}
          if tp7_global_short_valued "$letter"; then
            rest=\${rest#=}
            if [ -z "$rest" ] && [ $# -gt 1 ]; then shift; GLOBALS=$((GLOBALS + 1)); fi
            break
          fi
        done ;;
      *) return ;;
    esac
    shift; GLOBALS=$((GLOBALS + 1))
  done
}

# The command: CMD (its canonical name, or its first two words that are not flags), RO, VALUED, SHORTS, and
# START, how many words come before its own flags and arguments.
tp7_command() {
  tp7_globals "$@"
  shift "$GLOBALS"
  tp7_find "$@"
  START=$((GLOBALS + USED))
  tp7_spec
  if [ -z "$CMD" ]; then
    # Not one docker-command.ts knows: no flag of it is known either (even if its words spell a known name).
    words=0
    for word; do
      case $word in -*) continue ;; esac
      if [ "$words" = 0 ]; then CMD=$word; else CMD="$CMD $word"; break; fi
      words=1
    done
  fi
}

tp7_truth() {
  case $1 in
    [Tt][Rr][Uu][Ee]|1) TRUTH=true ;;
    [Ff][Aa][Ll][Ss][Ee]|0) TRUTH=false ;;
    *) TRUTH=other ;;
  esac
}

tp7_valued() { case $1 in ''|*' '*) return 1 ;; esac; case $VALUED in *" $1 "*) return 0 ;; esac; return 1; }

# One flag: $1 its long name, $2 its value, $3 whether a value was given (a switch written --x=false).
tp7_set() {
  case $1 in
    force) if [ "$3" = 1 ]; then tp7_truth "$2"; FORCE=$TRUTH; else FORCE=true; fi ;;
    output) if tp7_valued output; then OUTPUT=$2; OUTPUT_SET=1; fi ;;
  esac
}

# One argument that is not a flag, as ARGMODE says: counted, or printed the way docker would.
tp7_arg() {
  NARGS=$((NARGS + 1))
  case $ARGMODE in
    untagged) printf 'Untagged: %s\\n' "$1" ;;
    line) printf '%s\\n' "$1" ;;
    standin) printf '%s%s' "$SEP" "$1"; SEP=' ' ;;
  esac
}

# Reads the command's own flags as docker's flag library does (--name=value, --name value, bundles -af,
# -ovalue, -- ending the flags): FORCE (true, false, other), OUTPUT (when OUTPUT_SET=1), NARGS.
tp7_flags() {
  shift "$START"
  FORCE=; OUTPUT=; OUTPUT_SET=0; NARGS=0
  while [ $# -gt 0 ]; do
    case $1 in
      --) shift; for word; do tp7_arg "$word"; done; return ;;
      --*)
        body=\${1#--}; name=\${body%%=*}
        if [ "$name" = "$body" ]; then value=; given=0; else value=\${body#*=}; given=1; fi
        if tp7_valued "$name"; then
          if [ "$given" = 0 ] && [ $# -gt 1 ]; then shift; value=$1; fi
          tp7_set "$name" "$value" 1
        else
          tp7_set "$name" "$value" "$given"
        fi ;;
      -?*)
        rest=\${1#-}
        while [ -n "$rest" ]; do
          letter=\${rest%"\${rest#?}"}; rest=\${rest#?}
          long=
          case $SHORTS in *" $letter="*) long=\${SHORTS#*" $letter="}; long=\${long%% *} ;; esac
          if [ -n "$long" ] && tp7_valued "$long"; then
            rest=\${rest#=}
            if [ -z "$rest" ] && [ $# -gt 1 ]; then shift; rest=$1; fi
            tp7_set "$long" "$rest" 1
            break
          fi
          [ -z "$long" ] || tp7_set "$long" '' 0
        done ;;
      *) tp7_arg "$1" ;;
    esac
    shift
  done
}

# Appends one call to the record in a single write (parallel calls do not mix): fields ended by a NUL, the
# marker, the argument count, the arguments, then "-" or the length and first bytes of a read's output.
tp7_record() {
  out=$1; shift
  {
    printf 'tp7-call\\0%s\\0' "$#"
    [ $# -eq 0 ] || printf '%s\\0' "$@"
    if [ -n "$out" ]; then
      head -c "$MAX_OUTPUT" "$out" >"$PART.head"
      printf '%s\\0' "$(($(wc -c <"$PART.head")))"
      cat "$PART.head"
    else
      printf '%s\\0' -
    fi
  } >"$PART.call"
  cat "$PART.call" >>"$RECORD"
}

tp7_forward() {
  if [ -z "$REAL_DOCKER" ]; then
    tp7_record '' "$@"
    echo 'docker: command not found (tp7 found no docker CLI to answer this read)' >&2
    exit 127
  fi
  DOCKER_HOST=$REAL_HOST "$REAL_DOCKER" "$@" >"$PART.out"
  status=$?
  tp7_record "$PART.out" "$@"
  cat "$PART.out"
  : >"$PART.out"
  exit "$status"
}

# Where a save's -o lands, by real paths (a folder linked to from the scratch folder is outside it): 0 inside
# the scratch folder (TARGET), 1 outside or a link, 2 no such folder (DIR).
tp7_inside() {
  case $1 in */*) DIR=\${1%/*}; base=\${1##*/} ;; *) DIR=.; base=$1 ;; esac
  [ -n "$DIR" ] || DIR=/
  case $DIR in /*) there=$DIR ;; *) there=./$DIR ;; esac
  real=$(cd -P "$there" 2>/dev/null && pwd -P) || return 2
  root=$(cd -P "$SCRATCH" && pwd -P) || return 1
  case $real/ in "$root"/*) ;; *) return 1 ;; esac
  [ ! -L "$real/$base" ] || return 1
  TARGET=$real/$base
}

tp7_standin() {
  ARGMODE=standin; SEP=
  printf '%s ' "$HEADER"
  tp7_flags "$@"
  printf '\\n'
}

tp7_save() {
  if [ "$OUTPUT_SET" = 0 ] || [ "$OUTPUT" = - ]; then tp7_standin "$@"; return; fi
  tp7_inside "$OUTPUT"
  case $? in
    1) return ;; # never a file outside the scratch folder (a real backup folder): not written, as if done
    2) printf 'failed to save image: invalid output path: directory "%s" does not exist\\n' "$DIR" >&2; exit 1 ;;
  esac
  # Not "if ! { ...; } >file": bash takes a failed redirection there for a success.
  { tp7_standin "$@"; } 2>/dev/null >"$TARGET" || {
    printf 'failed to save image: cannot write %s\\n' "$OUTPUT" >&2
    exit 1
  }
}

# What docker prints when it has done the thing: enough for a script that reads its output to carry on.
tp7_pretend() {
  tp7_record '' "$@"
  ARGMODE=count
  tp7_flags "$@"
  case $CMD in
    *' prune')
      if [ "$FORCE" != true ]; then
        # Without -f docker asks first; the script's input is closed, which docker takes as "no".
        printf 'WARNING! This will remove the selected objects.\\nAre you sure you want to continue? [y/N] \\n'
        exit 0
      fi
      echo 'Total reclaimed space: 0B' ;;
    'image rm'|'container rm'|'volume rm')
      if [ "$NARGS" = 0 ]; then
        # As docker does: "docker rmi $(docker images -q -f dangling=true)" with nothing dangling is an error.
        printf '"docker %s" requires at least 1 argument.\\n' "$CMD" >&2
        exit 1
      fi
      if [ "$CMD" = 'image rm' ]; then ARGMODE=untagged; else ARGMODE=line; fi
      tp7_flags "$@" ;;
    'image save') tp7_save "$@" ;;
  esac
  exit 0
}

tp7_command "$@"
if [ "$RO" = 1 ]; then tp7_forward "$@"; else tp7_pretend "$@"; fi
`;

/** The whole bin/docker of one recorded run. */
export function dockerShim(settings: ShimSettings): string {
  return [
    '#!/bin/sh',
    '# The docker of a tp7 recorded run, written into its scratch folder by tp7 (src/scripts/shell-shim.ts): it',
    '# records each command line, forwards the reads to the real engine and only pretends everything else.',
    `SCRATCH=${shellQuote(settings.scratch)}`,
    `RECORD=${shellQuote(settings.record)}`,
    `CALLS=${shellQuote(settings.calls)}`,
    `REAL_DOCKER=${shellQuote(settings.docker ?? '')}`,
    `REAL_HOST=${shellQuote(settings.engineHost)}`,
    `MAX_OUTPUT=${MAX_RECORDED_OUTPUT}`,
    `HEADER=${shellQuote(STAND_IN_HEADER)}`,
    '',
    '# From the command table of src/scripts/docker-command.ts.',
    shimTables(),
    BODY,
  ].join('\n');
}

/** `sudo docker ...` is recorded too: the options of sudo are dropped and the command runs as the script's user. */
export const SUDO_SHIM = '#!/bin/sh\nwhile [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n';
