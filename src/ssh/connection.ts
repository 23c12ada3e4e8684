// One SSH connection to a student's machine, made by the system `ssh` binary as the docker CLI does: the
// user's agent, ~/.ssh/config (HostName, Port, User, IdentityFile, ProxyJump...), default keys and known hosts
// apply exactly as for `ssh host`. BatchMode: a checker never waits on a password or a host-key question.
// One authenticated master (OpenSSH ControlMaster, its socket in a private 0700 folder) carries every later
// command, stdio stream and forward, so a check pays one handshake, not one per Engine API request.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destinationArgs, parseSshAddress, remoteCommand, type SshDestination } from './destination.js';
import { SshError, sshReason } from './errors.js';

/**
 * How long the master stays with no open channel. tp7 ends it at exit (`-O exit`); this is for a tp7 killed with
 * SIGKILL. A forwarded engine socket does not count as open between requests (OpenSSH counts channels, not
 * listeners), so an idle menu or a grading waiting for its turn must not outlast it: half an hour.
 */
const PERSIST_SECONDS = 1800;

export class SshConnection {
  readonly destination: SshDestination;
  private dir?: string;
  private master?: Promise<void>;
  private closed = false;
  private forwards = 0;

  constructor(readonly address: string) {
    this.destination = parseSshAddress(address);
  }

  /** Windows' OpenSSH has no ControlMaster: each command is its own connection there. */
  private get multiplexed(): boolean {
    return process.platform !== 'win32';
  }

  private folder(): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'tp7-ssh-'));
    return this.dir;
  }

  private options(): string[] {
    return ['-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', ...(this.multiplexed ? ['-o', `ControlPath=${join(this.folder(), 'c')}`] : [])];
  }

  /** Authenticates once (the master), within `timeoutMs`; rejects with ssh's own reason. A failure is retried on the next call. */
  ready(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.reject(new SshError('connection closed', null));
    this.master ??= this.connect(timeoutMs).catch((error: unknown) => {
      this.master = undefined;
      throw error;
    });
    return this.master;
  }

  private connect(timeoutMs: number): Promise<void> {
    // ssh's stderr goes to a file: the master forked in the background keeps it open for its whole life.
    const log = join(this.folder(), 'master.log');
    const fd = openSync(log, 'w');
    const mode = this.multiplexed ? ['-o', 'ControlMaster=yes', '-o', `ControlPersist=${PERSIST_SECONDS}`, '-f', '-N'] : [];
    const args = [...this.options(), '-o', `ConnectTimeout=${Math.max(1, Math.ceil(timeoutMs / 1000))}`, ...mode, ...destinationArgs(this.destination), ...(this.multiplexed ? [] : ['true'])];
    let child: ChildProcess;
    try {
      child = spawn('ssh', args, { stdio: ['ignore', 'ignore', fd] });
    } finally {
      closeSync(fd);
    }
    return new Promise((resolve, reject) => {
      const limit = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new SshError('no answer', null, timeoutMs));
      }, timeoutMs);
      child.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(limit);
        reject(new SshError(error.code === 'ENOENT' ? 'the ssh command is not installed' : error.message, null));
      });
      child.once('exit', (code) => {
        clearTimeout(limit);
        if (code === 0) resolve();
        else reject(new SshError(sshReason(readFileSync(log, 'utf8'), `ssh exited with ${code}`), code));
      });
    });
  }

  /** Runs `words` on the remote (quoted for its shell), through the master when there is one. */
  exec(words: readonly string[]): ChildProcess {
    return this.spawnSsh(['-T', ...destinationArgs(this.destination), remoteCommand(words)]);
  }

  /** An sftp subsystem session: its stdin and stdout speak the SFTP protocol. */
  subsystem(name: string): ChildProcess {
    return this.spawnSsh(['-T', '-s', ...destinationArgs(this.destination), name]);
  }

  /** `ssh -W host:port`: stdin and stdout are a TCP connection opened from the remote machine. */
  forward(host: string, port: number): ChildProcess {
    return this.spawnSsh(['-W', `${host.includes(':') ? `[${host}]` : host}:${port}`, ...destinationArgs(this.destination)]);
  }

  /**
   * Asks the master to listen on a new local socket (in the private folder) and carry each connection to it to
   * the remote's unix socket `remotePath` (OpenSSH stream-local forwarding: no remote command at all). Resolves
   * to the local path; rejects when there is no master or ssh refuses.
   */
  async forwardUnixSocket(remotePath: string, timeoutMs: number): Promise<string> {
    if (!this.multiplexed || !this.master) throw new SshError('no ssh master to forward through', null);
    await this.master;
    const local = join(this.folder(), `fwd-${++this.forwards}.sock`);
    await this.control(['-O', 'forward', '-L', `${local}:${remotePath}`], timeoutMs);
    return local;
  }

  /** A new path in the connection's private (0700) folder, for a local socket the master forwards to. */
  privateSocketPath(): string {
    return join(this.folder(), `in-${++this.forwards}.sock`);
  }

  /**
   * The other way round: the remote's sshd listens on `remotePath` and carries each connection to the local socket
   * `localPath` (stream-local remote forwarding, through the master). Rejects when ssh refuses. Undone by
   * cancelRemoteForward.
   */
  async forwardToLocalSocket(remotePath: string, localPath: string, timeoutMs: number): Promise<void> {
    await this.control(['-O', 'forward', '-R', `${remotePath}:${localPath}`], timeoutMs);
  }

  async cancelRemoteForward(remotePath: string, localPath: string, timeoutMs: number): Promise<void> {
    await this.control(['-O', 'cancel', '-R', `${remotePath}:${localPath}`], timeoutMs);
  }

  /** One `ssh -O ...` request to the master, asynchronous: a master that hangs must not stop every other student. */
  private async control(request: string[], timeoutMs: number): Promise<void> {
    if (!this.multiplexed || !this.master) throw new SshError('no ssh master to forward through', null);
    await this.master;
    const child = spawn('ssh', [...this.options(), ...request, ...destinationArgs(this.destination)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)));
    const code = await new Promise<number | null>((resolve) => {
      const limit = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', () => resolve(null));
      child.once('close', (exitCode) => {
        clearTimeout(limit);
        resolve(exitCode);
      });
    });
    if (code !== 0) throw new SshError(sshReason(stderr, `ssh ${request.slice(0, 2).join(' ')} exited with ${code}`), code);
  }

  private spawnSsh(args: string[]): ChildProcess {
    // ControlMaster=no: a client of the master, never a master itself; if the master is gone, ssh connects directly.
    return spawn('ssh', [...this.options(), ...(this.multiplexed ? ['-o', 'ControlMaster=no'] : []), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** Ends the master (and with it every session it carries) and removes the private folder. Synchronous: it also runs at exit. */
  closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    connections.delete(this.address);
    if (!this.dir) return;
    if (this.master && this.multiplexed) {
      spawnSync('ssh', [...this.options(), '-O', 'exit', ...destinationArgs(this.destination)], { stdio: 'ignore', timeout: 5000 });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    this.closeNow();
  }
}

const connections = new Map<string, SshConnection>();
let exitHook = false;

/** The process's one connection to `address` (ssh://...): every client of that engine shares its master. */
export function sshConnection(address: string): SshConnection {
  let connection = connections.get(address);
  if (!connection) {
    connection = new SshConnection(address);
    connections.set(address, connection);
  }
  if (!exitHook) {
    exitHook = true;
    // Whatever way tp7 ends (a command done, Ctrl+C, an error), no ssh master is left behind.
    process.once('exit', () => [...connections.values()].forEach((each) => each.closeNow()));
  }
  return connection;
}
