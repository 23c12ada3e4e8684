// What ssh says when it fails, as one line the user can act on: ssh's own last words quoted (they name the
// cause: "Permission denied (publickey)", "Host key verification failed.", "Connection refused").
import { showControlsInline } from '../ui/escape.js';
import { both, type LocalizedText } from '../lab/lang.js';

/** ssh (or the remote command it ran) failed before doing its work. `code` lets callers tell it from I/O errors. */
export class SshError extends Error {
  readonly code = 'ESSH';
  constructor(
    /** ssh's own words, one line, control characters shown. */
    readonly reason: string,
    readonly exitCode: number | null,
    /** Set when tp7 itself gave up waiting (ssh said nothing): the limit, in milliseconds. */
    readonly silentForMs?: number,
  ) {
    super(reason);
    this.name = 'SshError';
  }
}

/** The line of ssh's stderr that says why: the last one that is not a warning. */
export function sshReason(stderr: string, fallback: string): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !/^(Warning: Permanently added|debug\d?:|Pseudo-terminal)/.test(line));
  const last = lines.at(-1);
  return last ? showControlsInline(last).slice(0, 240) : fallback;
}

/** The reason of an SshError for a one-line message, with what to do for the usual causes. */
export function explainSsh(error: SshError, host: string): LocalizedText {
  const said = error.reason;
  if (error.silentForMs !== undefined) {
    const seconds = error.silentForMs / 1000;
    return both(`ssh : pas de réponse en ${seconds} s`, `ssh: no answer within ${seconds} s`);
  }
  const alias = host.replace(/^ssh:\/\//, '');
  if (/host key verification failed|host key .* changed|no .* host key is known/i.test(said)) {
    return both(`ssh : « ${said} » ; connectez-vous une fois avec \`ssh ${alias}\` pour vérifier et accepter sa clé d'hôte`, `ssh: "${said}"; connect once with \`ssh ${alias}\` to check and accept its host key`);
  }
  if (/permission denied|authentication/i.test(said)) {
    return both(`ssh : « ${said} » ; \`ssh ${alias}\` doit fonctionner sans mot de passe (ssh-agent, ou IdentityFile dans ~/.ssh/config)`, `ssh: "${said}"; \`ssh ${alias}\` must work without a password (ssh-agent, or IdentityFile in ~/.ssh/config)`);
  }
  if (/docker: (command )?not found|docker: No such file/i.test(said)) {
    return both(`ssh : « ${said} » ; la commande docker doit être dans le PATH de la machine distante`, `ssh: "${said}"; the docker command must be on the remote machine's PATH`);
  }
  return both(`ssh : « ${said} »`, `ssh: "${said}"`);
}
