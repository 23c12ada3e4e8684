// Where an ssh:// address points, as the `ssh` command takes it. Only what the address names is passed on
// (`-l user`, `-p port`): everything else (HostName, Port, User, IdentityFile, ProxyJump, the agent, known
// hosts) comes from the user's own ssh configuration, exactly as when they type `ssh host`.
import { UsageError } from '../errors.js';
import { both } from '../lab/lang.js';

export interface SshDestination {
  /** Host or ~/.ssh/config alias, as typed (brackets of an IPv6 address removed). */
  host: string;
  user?: string;
  port?: string;
  /** The address as given, for messages. */
  label: string;
}

export function parseSshAddress(address: string): SshDestination {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new UsageError(both(`${address} : adresse ssh:// invalide (attendu ssh://[utilisateur@]hôte[:port])`, `${address}: invalid ssh:// address (expected ssh://[user@]host[:port])`));
  }
  if (url.protocol !== 'ssh:' || !url.hostname || (url.pathname && url.pathname !== '/')) {
    throw new UsageError(both(`${address} : adresse ssh:// invalide (attendu ssh://[utilisateur@]hôte[:port])`, `${address}: invalid ssh:// address (expected ssh://[user@]host[:port])`));
  }
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(user ? { user } : {}),
    ...(url.port ? { port: url.port } : {}),
    label: address,
  };
}

/** `-l user -p port -- host`: the end of every ssh command line for this destination. */
export function destinationArgs(destination: SshDestination): string[] {
  return [...(destination.user ? ['-l', destination.user] : []), ...(destination.port ? ['-p', destination.port] : []), '--', destination.host];
}

/** One word for the remote shell (ssh joins its arguments with spaces and the remote shell splits them again). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function remoteCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
