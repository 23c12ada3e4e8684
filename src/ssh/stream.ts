// A child's stdin and stdout as one socket-like stream (what an http.Agent's createConnection must return):
// `docker system dial-stdio` and `ssh -W` turn an ssh process into a connection to the engine or to a port.
import type { ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import { SshError, sshReason } from './errors.js';

/** ssh's stderr kept for the error message: its last words, not a runaway log. */
const MAX_STDERR = 8192;

export class ChildStream extends Duplex {
  private stderr = '';
  private idleMs = 0;
  private idleTimer?: NodeJS.Timeout;
  private received = false;

  constructor(private readonly child: ChildProcess) {
    super({ allowHalfOpen: false });
    child.stdout!.on('data', (chunk: Buffer) => {
      this.received = true;
      this.touch();
      if (!this.push(chunk)) child.stdout!.pause();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-MAX_STDERR);
    });
    child.stdin!.on('error', () => undefined); // EPIPE when ssh died: its exit tells why
    child.once('error', (error) => this.destroy(error));
    // The end is told once ssh has exited: failing before any byte came back means ssh (or the remote command)
    // refused, and its own words say why, rather than a bare "socket hang up".
    child.once('close', (code) => {
      if (this.destroyed) return;
      if (code !== 0 && !this.received) this.destroy(new SshError(sshReason(this.stderr, `ssh exited with ${code}`), code));
      else this.push(null);
    });
  }

  override _read(): void {
    this.child.stdout!.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.touch();
    this.child.stdin!.write(chunk, () => done());
  }

  override _final(done: (error?: Error | null) => void): void {
    this.child.stdin!.end(done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    done(error);
  }

  // What http.Agent and http.ClientRequest ask of a socket. As net.Socket does, a zero time removes the
  // listener: http's keep-alive hands a socket back with setTimeout(0, itsListener) after each request, and
  // keeping it would add one listener per request on a reused stream (Node's MaxListenersExceededWarning).
  setTimeout(ms: number, listener?: () => void): this {
    this.idleMs = ms;
    if (listener && ms === 0) this.removeListener('timeout', listener);
    else if (listener) this.once('timeout', listener);
    this.touch();
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  /** An idle kept-alive connection does not keep tp7 running. */
  unref(): this {
    this.handles().forEach((handle) => handle.unref());
    return this;
  }

  ref(): this {
    this.handles().forEach((handle) => handle.ref());
    return this;
  }

  private handles(): Array<{ ref(): unknown; unref(): unknown }> {
    const child = this.child as ChildProcess & { stdout: { ref?(): unknown; unref?(): unknown } };
    return [child, child.stdin, child.stdout, child.stderr].filter((handle): handle is never => typeof (handle as { unref?: unknown })?.unref === 'function');
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.idleMs > 0) this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs).unref();
  }
}
