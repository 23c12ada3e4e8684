import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Pattern } from '../lab/ids.js';
import { both, Localized } from '../lab/text.js';
import { CommandPattern, describePattern, matches, readCalls, whyUnmatched } from '../scripts/command-rules.js';
import { showCommand } from '../scripts/docker-command.js';
import { scriptHostOf } from '../scripts/local-host.js';
import { recordedRun, type RecordedRun } from '../scripts/recorded-run.js';
import { Saves, savesProblem, withUnforeseenImage } from './recorded-saves.js';
import { lastErrorLine, scriptMissing } from './script-outcome.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

/** Stands, in `args`, for a mode the script cannot know: a word chosen at check time. */
const UNKNOWN_WORD = '{unknown}';

const schema = z
  .strictObject({
    kind: z.literal('recorded-script'),
    script: z.string().regex(/^[^/].*$/).describe("The student's script, relative to the workdir; run with bash in a scratch copy"),
    args: z.array(z.string()).default([]).describe(`Its arguments; "${UNKNOWN_WORD}" is replaced by a word chosen at check time`),
    files: z.array(z.string().regex(/^[^/]/)).default([]).describe('Other files it reads, relative to the workdir, copied beside it'),
    timeoutSeconds: z.number().positive().max(60).default(20).describe('Time limit of the run (its whole process group is stopped)'),
    exit: z.enum(['zero', 'non-zero', 'any']).default('zero').describe('The exit code the run must end with'),
    output: z
      .array(z.strictObject({ pattern: Pattern.describe('Tested on stdout and stderr, case-insensitive'), what: Localized.describe('What the output must show, for messages') }))
      .default([])
      .describe('What the output must show'),
    require: z.array(CommandPattern).default([]).describe('Docker commands the run must make (each matched by one recorded command)'),
    others: z
      .enum(['read-only', 'any'])
      .default('read-only')
      .describe('read-only: every other command must only read (a prune, rm or rmi not required is a fault)'),
    saves: Saves.optional(),
  })
  .describe("A script judged by a recorded run: the docker commands it makes are recorded, never run against the engine's state, and judged by meaning");
type Spec = z.infer<typeof schema>;

function fault(spec: Spec, command: string, actual: string, message: Localized): Outcome {
  return outcome('fail', expectedOf(spec, command), actual, both(`${command} : ${message.fr}.`, `${command}: ${message.en}.`));
}

function expectedOf(spec: Spec, command: string): string {
  const parts = spec.require.map((pattern) => describePattern(pattern).en);
  if (spec.exit === 'non-zero') parts.push('a non-zero exit code');
  parts.push(...spec.output.map((entry) => entry.what.en));
  if (spec.saves) parts.push(`every image it finds saved gzip-compressed into ${spec.saves.dir}/, one made at check time included`);
  if (spec.others === 'read-only') parts.push('nothing else that changes state');
  return `${command} runs ${parts.join('; ')}`;
}

/** When nothing ran but the output shows docker commands, they were most likely printed with echo. */
function echoedHint(stdout: string): Localized | undefined {
  if (!/\bdocker\s+(image|system|builder|rmi|container|volume|save)\b/.test(stdout)) return undefined;
  return both(
    ' (la sortie montre des commandes docker : sont-elles seulement affichées avec echo ?)',
    ' (the output shows docker commands: are they only printed with echo?)',
  );
}

export const recordedScript: ProbeKind<Spec> = {
  kind: 'recorded-script',
  schema,
  inputs: { files: ['script', 'files'], images: 'any', containers: 'any' },
  sideEffects: true,
  async run(spec, clients) {
    const { engine, files, workdir } = clients;
    const args = spec.args.map((arg) => (arg === UNKNOWN_WORD ? `mode-${randomBytes(3).toString('hex')}` : arg));
    const command = [spec.script, ...args].join(' ');
    const script = await files.stat(spec.script);
    if (!script?.isFile) return scriptMissing(spec.script, expectedOf(spec, command));
    const record = () => recordedRun(scriptHostOf(clients), {
      workdir, script: spec.script, args, files: spec.files, timeoutMs: spec.timeoutSeconds * 1000, engineHost: engine.host, engineAddress: engine.address, collect: spec.saves?.dir,
    });
    if (!spec.saves) return judge(spec, command, await record());
    return withUnforeseenImage(engine, spec.saves, async (unforeseen) => judge(spec, command, await record(), unforeseen));
  },
};

/** The verdict on a recorded run; `unforeseen` is the image made at check time that its saves must include. */
function judge(spec: Spec, command: string, run: RecordedRun, unforeseen?: string): Outcome {
  const recorded = readCalls(run.calls);
  const actual = recorded.length ? recorded.map((call) => showCommand(call.argv)).join('; ') : 'no docker command';
  const exitText = run.exitCode === null ? 'stopped' : `exit ${run.exitCode}`;
  if (run.timedOut) return fault(spec, command, `timed out after ${spec.timeoutSeconds} s`, both(`pas fini en ${spec.timeoutSeconds} s`, `did not finish within ${spec.timeoutSeconds} s`));
  for (const pattern of spec.require) {
    if (recorded.some((call) => matches(call, pattern))) continue;
    const why = whyUnmatched(recorded, pattern);
    const echoed = recorded.some((call) => call.command === pattern.command) ? undefined : echoedHint(run.stdout);
    if (!recorded.length && !echoed) {
      return fault(spec, command, actual, both(
        `aucune commande docker n'a été lancée (${spec.args.length ? 'le script traite-t-il ce mode ?' : 'le script est-il écrit ?'}) ; attendu : ${describePattern(pattern).fr}`,
        `no docker command was run (${spec.args.length ? 'does the script handle this mode?' : 'is the script written yet?'}); expected: ${describePattern(pattern).en}`,
      ));
    }
    return fault(spec, command, actual, both(`${why.fr}${echoed?.fr ?? ''}`, `${why.en}${echoed?.en ?? ''}`));
  }
  const saves = spec.saves && unforeseen ? savesProblem(spec.saves, unforeseen, recorded, run.written) : undefined;
  if (saves) return fault(spec, command, actual, saves);
  if (spec.others === 'read-only') {
    const extra = recorded.find((call) => !call.readOnly && !spec.require.some((pattern) => matches(call, pattern)));
    if (extra) {
      const shown = showCommand(extra.argv);
      return fault(spec, command, actual, both(`${shown} ne fait pas partie de ce que ce mode doit faire`, `${shown} is not part of what this mode must do`));
    }
  }
  if (spec.exit === 'zero' && run.exitCode !== 0) {
    const line = lastErrorLine(run.stderr);
    return fault(spec, command, exitText, both(`a échoué (${exitText})${line ? ` : ${line}` : ''}`, `failed (${exitText})${line ? `: ${line}` : ''}`));
  }
  if (spec.exit === 'non-zero' && run.exitCode === 0) {
    return fault(spec, command, exitText, both('se termine avec le code 0 : un appel erroné doit finir par un code non nul (exit 1)', 'ends with code 0: a wrong call must end with a non-zero code (exit 1)'));
  }
  const printed = `${run.stdout}\n${run.stderr}`;
  const missing = spec.output.find((entry) => !new RegExp(entry.pattern, 'i').test(printed));
  if (missing) return fault(spec, command, exitText, both(`la sortie ne montre pas ${missing.what.fr}`, `the output does not show ${missing.what.en}`));
  return outcome('pass', expectedOf(spec, command), actual, both(
    `${command} fait ce qu'il faut (exécution enregistrée, rien n'a été supprimé).`,
    `${command} does the right thing (recorded run, nothing was removed).`,
  ));
}
