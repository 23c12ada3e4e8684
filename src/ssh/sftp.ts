// A small SFTP (version 3) client over any byte stream: here the stdio of `ssh -s host sftp`, so SFTP goes
// through the same ssh binary, configuration and master as everything else. ssh2's SFTP is tied to its own
// SSH client (which is what we avoid), and the few requests probes and recorded runs need fit in this file.
import type { ChildProcess } from 'node:child_process';
import { CheckError } from '../errors.js';
import { both } from '../lab/lang.js';
import { SshError, sshReason } from './errors.js';
import type { FileSession } from './file-session.js';

const T = { INIT: 1, VERSION: 2, OPEN: 3, CLOSE: 4, READ: 5, WRITE: 6, LSTAT: 7, SETSTAT: 9, OPENDIR: 11, READDIR: 12, REMOVE: 13, MKDIR: 14, RMDIR: 15, REALPATH: 16, STAT: 17, READLINK: 19, STATUS: 101, HANDLE: 102, DATA: 103, NAME: 104, ATTRS: 105 } as const;
const FX = { OK: 0, EOF: 1, NO_SUCH_FILE: 2 } as const;
const OPEN_FLAGS = { READ: 0x1, WRITE: 0x2, CREAT: 0x8, TRUNC: 0x10 } as const;
const ATTR = { SIZE: 0x1, UIDGID: 0x2, PERMISSIONS: 0x4, ACMODTIME: 0x8, EXTENDED: 0x80000000 } as const;
/** Bytes asked per READ: OpenSSH's sftp-server answers at most this much. */
const READ_CHUNK = 32 * 1024;
const MAX_PACKET = 256 * 1024;

export interface SftpAttrs {
  size: number;
  mode: number;
  mtimeMs: number;
}

export const isDirectoryMode = (mode: number) => (mode & 0o170000) === 0o040000;
export const isFileMode = (mode: number) => (mode & 0o170000) === 0o100000;
export const isLinkMode = (mode: number) => (mode & 0o170000) === 0o120000;

/**
 * The session ended before SFTP's first answer, and not because ssh failed (that is an SshError, ssh's words in
 * it): the remote sshd offers no SFTP. OpenSSH without a `Subsystem sftp` line refuses the request, and ssh,
 * through a master at LogLevel=ERROR, exits 255 saying nothing, whence the "sftp ended (255)" it used to give.
 */
export class SftpUnavailableError extends CheckError {
  constructor(address: string, said: string) {
    const host = address.replace(/^ssh:\/\//, '');
    super(
      said
        ? both(`le serveur SSH de ${host} n'offre pas de SFTP qui marche (« ${said} ») : vérifiez la ligne \`Subsystem sftp\` de son sshd_config`, `the SSH server of ${host} offers no working SFTP ("${said}"): check the \`Subsystem sftp\` line of its sshd_config`)
        : both(`le serveur SSH de ${host} n'offre pas SFTP : ajoutez \`Subsystem sftp internal-sftp\` à son sshd_config`, `the SSH server of ${host} offers no SFTP: add \`Subsystem sftp internal-sftp\` to its sshd_config`),
    );
  }
}

/** A failed request: the server's status code and message (the shell stand-in gives the same codes). code 2 is "no such file". */
export class SftpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SftpStatusError';
  }
}

class Writer {
  private parts: Buffer[] = [];
  u8(value: number): this {
    this.parts.push(Buffer.from([value]));
    return this;
  }
  u32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value >>> 0);
    this.parts.push(b);
    return this;
  }
  u64(value: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(value));
    this.parts.push(b);
    return this;
  }
  bytes(value: Buffer | string): this {
    const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    this.u32(b.length);
    this.parts.push(b);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly buffer: Buffer) {}
  u8(): number {
    return this.buffer.readUInt8(this.at++);
  }
  u32(): number {
    const value = this.buffer.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }
  u64(): number {
    const value = Number(this.buffer.readBigUInt64BE(this.at));
    this.at += 8;
    return value;
  }
  bytes(): Buffer {
    const length = this.u32();
    const value = this.buffer.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }
  text(): string {
    return this.bytes().toString('utf8');
  }
  attrs(): SftpAttrs {
    const flags = this.u32();
    const attrs: SftpAttrs = { size: 0, mode: 0, mtimeMs: 0 };
    if (flags & ATTR.SIZE) attrs.size = this.u64();
    if (flags & ATTR.UIDGID) this.at += 8;
    if (flags & ATTR.PERMISSIONS) attrs.mode = this.u32();
    if (flags & ATTR.ACMODTIME) {
      this.u32();
      attrs.mtimeMs = this.u32() * 1000;
    }
    if (flags & ATTR.EXTENDED) for (let count = this.u32(); count > 0; count--) (this.bytes(), this.bytes());
    return attrs;
  }
}

interface Pending {
  resolve(reply: { type: number; body: Reader }): void;
  reject(error: Error): void;
}

export class SftpSession implements FileSession {
  readonly overShell = false;
  private nextId = 1;
  private versioned = false;
  private readonly pending = new Map<number, Pending>();
  private inbox = Buffer.alloc(0);
  private failure?: Error;
  private stderr = '';
  private readonly started: Promise<void>;

  /** `address`: the ssh:// address of the remote, for messages. */
  constructor(
    private readonly child: ChildProcess,
    private readonly address = 'ssh://remote',
  ) {
    child.stdout!.on('data', (chunk: Buffer) => this.receive(chunk));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4096)));
    child.stdin!.on('error', () => undefined);
    // 'close', not 'exit': what the child said on stderr is read by then.
    child.once('close', (code) => this.fail(this.ended(code)));
    child.once('error', (error) => this.fail(error));
    this.started = new Promise((resolve, reject) => {
      // INIT has no request id: its VERSION reply is id 0 here.
      this.pending.set(0, {
        resolve: () => {
          this.versioned = true;
          resolve();
        },
        reject,
      });
      child.stdin!.write(frame(new Writer().u8(T.INIT).u32(3).done()));
    });
    this.started.catch(() => undefined);
  }

  /** Why the session ended: ssh failing says so itself (255 and its words); before any answer, no SFTP. */
  private ended(code: number | null): Error {
    const said = sshReason(this.stderr, '');
    if (!this.versioned && !(code === 255 && said)) return new SftpUnavailableError(this.address, said);
    return new SshError(said || `sftp ended (${code})`, code);
  }

  /** Resolves once the server answered INIT: rejects with SftpUnavailableError when it offers no SFTP. */
  ready(): Promise<void> {
    return this.started;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }

  private receive(chunk: Buffer): void {
    this.inbox = Buffer.concat([this.inbox, chunk]);
    while (this.inbox.length >= 4) {
      const length = this.inbox.readUInt32BE(0);
      if (length > MAX_PACKET) return this.fail(new Error('sftp: oversized packet'));
      if (this.inbox.length < 4 + length) return;
      const body = new Reader(this.inbox.subarray(4, 4 + length));
      this.inbox = this.inbox.subarray(4 + length);
      const type = body.u8();
      const id = type === T.VERSION ? 0 : body.u32();
      const waiter = this.pending.get(id);
      this.pending.delete(id);
      waiter?.resolve({ type, body });
    }
    this.hold();
  }

  /** An idle session does not keep tp7 running; one awaiting a reply does. */
  private hold(): void {
    const method = this.pending.size ? 'ref' : 'unref';
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as Array<{ ref?(): void; unref?(): void } | null>) handle?.[method]?.();
  }

  private async request(type: number, fill: (writer: Writer) => Writer): Promise<{ type: number; body: Reader }> {
    await this.started;
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const packet = fill(new Writer().u8(type).u32(id)).done();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.hold();
      this.child.stdin!.write(frame(packet));
    });
  }

  private static status(reply: { type: number; body: Reader }): SftpStatusError {
    if (reply.type !== T.STATUS) return new SftpStatusError(-1, `sftp: unexpected reply ${reply.type}`);
    const code = reply.body.u32();
    return new SftpStatusError(code, reply.body.text() || `sftp status ${code}`);
  }

  private async expect(type: number, reply: { type: number; body: Reader }): Promise<Reader> {
    if (reply.type === type) return reply.body;
    const status = SftpSession.status(reply);
    if (type === T.STATUS && status.status === FX.OK) return reply.body;
    throw status;
  }

  /** The canonical absolute path, symbolic links resolved by the server. */
  async realpath(path: string): Promise<string> {
    const body = await this.expect(T.NAME, await this.request(T.REALPATH, (w) => w.bytes(path)));
    body.u32();
    return body.text();
  }

  /** `stat` (links followed) or `lstat`; null when there is no such file. */
  async stat(path: string, follow = true): Promise<SftpAttrs | null> {
    try {
      return (await this.expect(T.ATTRS, await this.request(follow ? T.STAT : T.LSTAT, (w) => w.bytes(path)))).attrs();
    } catch (error) {
      if (error instanceof SftpStatusError && error.status === FX.NO_SUCH_FILE) return null;
      throw error;
    }
  }

  /** Entries of a folder (lstat attributes), without . and .. */
  async readdir(path: string): Promise<Array<{ name: string; attrs: SftpAttrs }>> {
    const handle = (await this.expect(T.HANDLE, await this.request(T.OPENDIR, (w) => w.bytes(path)))).bytes();
    const entries: Array<{ name: string; attrs: SftpAttrs }> = [];
    try {
      for (;;) {
        const reply = await this.request(T.READDIR, (w) => w.bytes(handle));
        if (reply.type !== T.NAME) {
          const status = SftpSession.status(reply);
          if (status.status === FX.EOF) break;
          throw status;
        }
        for (let count = reply.body.u32(); count > 0; count--) {
          const name = reply.body.text();
          reply.body.text(); // the long name, as `ls -l` would print it
          const attrs = reply.body.attrs();
          if (name !== '.' && name !== '..') entries.push({ name, attrs });
        }
      }
    } finally {
      await this.close(handle);
    }
    return entries;
  }

  /** Up to `maxBytes` from the start of a file. */
  async readHead(path: string, maxBytes: number): Promise<Buffer> {
    const handle = await this.open(path, OPEN_FLAGS.READ);
    const chunks: Buffer[] = [];
    let offset = 0;
    try {
      while (offset < maxBytes) {
        const chunk = await this.read(handle, offset, Math.min(READ_CHUNK, maxBytes - offset));
        if (!chunk) break;
        chunks.push(chunk);
        offset += chunk.length;
      }
    } finally {
      await this.close(handle);
    }
    return Buffer.concat(chunks);
  }

  /** The whole file, chunk by chunk, for a stream. */
  async *chunks(path: string): AsyncGenerator<Buffer> {
    const handle = await this.open(path, OPEN_FLAGS.READ);
    try {
      for (let offset = 0; ; ) {
        const chunk = await this.read(handle, offset, READ_CHUNK);
        if (!chunk) return;
        offset += chunk.length;
        yield chunk;
      }
    } finally {
      await this.close(handle);
    }
  }

  async writeFile(path: string, content: Buffer, mode: number): Promise<void> {
    const handle = await this.open(path, OPEN_FLAGS.WRITE | OPEN_FLAGS.CREAT | OPEN_FLAGS.TRUNC, mode);
    try {
      for (let offset = 0; offset < content.length || offset === 0; offset += READ_CHUNK) {
        const piece = content.subarray(offset, offset + READ_CHUNK);
        await this.expect(T.STATUS, await this.request(T.WRITE, (w) => w.bytes(handle).u64(offset).bytes(piece)));
        if (!content.length) break;
      }
    } finally {
      await this.close(handle);
    }
    // The mode of a file that already existed is not changed by OPEN: set it.
    await this.chmod(path, mode);
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    await this.expect(T.STATUS, await this.request(T.MKDIR, (w) => w.bytes(path).u32(ATTR.PERMISSIONS).u32(mode)));
  }

  /** Sets a file's or folder's permission bits. */
  async chmod(path: string, mode: number): Promise<void> {
    await this.expect(T.STATUS, await this.request(T.SETSTAT, (w) => w.bytes(path).u32(ATTR.PERMISSIONS).u32(mode)));
  }

  /** Removes a file or a symbolic link (never what it points to). */
  async remove(path: string): Promise<void> {
    await this.expect(T.STATUS, await this.request(T.REMOVE, (w) => w.bytes(path)));
  }

  /** Removes an empty folder. */
  async rmdir(path: string): Promise<void> {
    await this.expect(T.STATUS, await this.request(T.RMDIR, (w) => w.bytes(path)));
  }

  /** Where a symbolic link points, as written in it. */
  async readlink(path: string): Promise<string> {
    const body = await this.expect(T.NAME, await this.request(T.READLINK, (w) => w.bytes(path)));
    body.u32();
    return body.text();
  }

  private async open(path: string, flags: number, mode = 0o644): Promise<Buffer> {
    const attrs = (w: Writer) => (flags & OPEN_FLAGS.CREAT ? w.u32(ATTR.PERMISSIONS).u32(mode) : w.u32(0));
    return (await this.expect(T.HANDLE, await this.request(T.OPEN, (w) => attrs(w.bytes(path).u32(flags))))).bytes();
  }

  private async read(handle: Buffer, offset: number, length: number): Promise<Buffer | null> {
    const reply = await this.request(T.READ, (w) => w.bytes(handle).u64(offset).u32(length));
    if (reply.type === T.DATA) {
      const data = reply.body.bytes();
      return data.length ? Buffer.from(data) : null;
    }
    const status = SftpSession.status(reply);
    if (status.status === FX.EOF) return null;
    throw status;
  }

  private async close(handle: Buffer): Promise<void> {
    await this.request(T.CLOSE, (w) => w.bytes(handle)).catch(() => undefined);
  }

  /** Ends the sftp session (not the ssh connection). */
  end(): void {
    this.child.stdin!.end();
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}

function frame(packet: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(packet.length);
  return Buffer.concat([length, packet]);
}
