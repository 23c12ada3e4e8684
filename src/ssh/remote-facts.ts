// What tp7 needs to know about the remote machine itself, asked in one command per ssh connection: every
// command starts the remote user's login shell (a pyenv .bashrc took 0.55 s here, seconds under load), so the
// engine forward, the script host and the grading session share one answer instead of asking three times.
import { posix } from 'node:path';
import { CheckError } from '../errors.js';
import { both } from '../lab/lang.js';
import type { SshConnection } from './connection.js';
import { sshRunner } from './processes.js';

export interface RemoteFacts {
  /** The remote's temporary folder (its TMPDIR, else /tmp), without a trailing slash. */
  tmp: string;
  /** The remote's docker CLI, when it has one on its PATH. */
  docker?: string;
  /** The engine as the remote's own docker CLI reaches it: its current context, else DOCKER_HOST, else the default. */
  engine: string;
}

/** POSIX sh, three lines whatever is missing: a remote without docker still answers its TMPDIR and DOCKER_HOST. */
export const REMOTE_FACTS_SCRIPT = [
  'printf "%s\\n" "${TMPDIR:-/tmp}"',
  '(command -v docker || echo)',
  `(docker context inspect --format '{{.Endpoints.docker.Host}}' 2>/dev/null || printf "%s\\n" "\${DOCKER_HOST:-unix:///var/run/docker.sock}")`,
].join('; ');

export function parseRemoteFacts(stdout: string): RemoteFacts {
  const [tmp = '', docker = '', engine = ''] = stdout.split('\n').map((line) => line.trim());
  return {
    tmp: tmp.replace(/\/+$/, '') || '/tmp',
    ...(posix.isAbsolute(docker) ? { docker } : {}),
    engine: engine || 'unix:///var/run/docker.sock',
  };
}

const asked = new WeakMap<SshConnection, Promise<RemoteFacts>>();

/** Asked once per connection; a failed question is asked again next time (a remote that failed once may answer now). */
export function remoteFacts(connection: SshConnection, timeoutMs: number): Promise<RemoteFacts> {
  let facts = asked.get(connection);
  if (!facts) {
    facts = ask(connection, timeoutMs);
    asked.set(connection, facts);
    facts.catch(() => asked.delete(connection));
  }
  return facts;
}

async function ask(connection: SshConnection, timeoutMs: number): Promise<RemoteFacts> {
  const result = await sshRunner(connection, '/').run('sh', ['-c', REMOTE_FACTS_SCRIPT], { cwd: '/', timeoutMs });
  if (result.exitCode !== 0) {
    const said = result.stderr.trim().split('\n').at(-1) || `exit ${result.exitCode}`;
    const seconds = timeoutMs / 1000;
    throw new CheckError(both(
      `${connection.address} : échec sur la machine distante (${result.timedOut ? `pas de réponse en ${seconds} s` : said})`,
      `${connection.address}: failed on the remote machine (${result.timedOut ? `no answer within ${seconds} s` : said})`,
    ));
  }
  return parseRemoteFacts(result.stdout);
}
