// Decompression as async iterables, so every stage pulls at its own pace and memory stays bounded.
// gzip uses Node's zlib. bzip2, xz and zstd stream through the system decoders (`bzip2 -dc`, `xz -dc`,
// `zstd -dc`): they only read stdin and write stdout, run on another core while we hash, cap their memory
// (zstd refuses windows over 128 MB, xz gets a memlimit), and the only pure-JS decoders measured slower
// (bzip2 3×, zstd 3×) or, for zstd, allocate whatever window a crafted header asks for.
import { spawn } from 'node:child_process';
import type { Duplex, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { both } from '../lab/lang.js';
import { drained } from './drain.js';
import { abortError } from './abort.js';
import { ArchiveError, type Compression } from './types.js';

const DECODERS: Record<Exclude<Compression, 'gzip'>, { command: string; args: string[]; install: string }> = {
  bzip2: { command: 'bzip2', args: ['-dc'], install: 'bzip2' },
  xz: { command: 'xz', args: ['-dc', '--memlimit-decompress=512MiB'], install: 'xz-utils' },
  zstd: { command: 'zstd', args: ['-dcq'], install: 'zstd' },
};

/** Writes every chunk of source into sink, waiting whenever the sink asks to; stops if the sink goes away. */
async function feed(source: AsyncIterable<Buffer>, sink: Writable): Promise<void> {
  for await (const chunk of source) {
    if (sink.destroyed) return;
    if (!sink.write(chunk)) await drained(sink);
  }
  if (!sink.destroyed) sink.end();
}


/** Says what a decoder's failure means for the student: a cut file, damaged data, or too much memory asked. */
export function decodeFailure(format: Compression, detail: string): ArchiveError {
  // The decoder's own line is quoted as it is (its words, in its language), after ours.
  const line = detail.split('\n').find((text) => text.trim())?.trim();
  const quoted = line ? { fr: ` (« ${line} »)`, en: ` ("${line}")` } : { fr: '', en: '' };
  if (/unexpected end|ends unexpectedly|premature end/i.test(detail)) {
    return new ArchiveError('truncated', both(`les données ${format} s'arrêtent trop tôt : le fichier a été coupé${quoted.fr}`, `${format} data ends too early: the file was cut short${quoted.en}`));
  }
  if (/memory/i.test(detail)) {
    return new ArchiveError('too-large', both(`les données ${format} demandent trop de mémoire pour être décodées${quoted.fr}`, `${format} data asks for too much memory to decode${quoted.en}`));
  }
  return new ArchiveError('corrupt', both(`les données ${format} sont endommagées${quoted.fr}`, `${format} data is damaged${quoted.en}`));
}

/** Runs `stop` when `signal` aborts (at once if it has); returns what removes the listener. */
function onAbort(signal: AbortSignal | undefined, stop: () => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  return () => signal.removeEventListener('abort', stop);
}

async function* gunzip(source: AsyncIterable<Buffer>, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const zlib = createGunzip();
  const release = onAbort(signal, () => zlib.destroy(abortError(signal!)));
  let feedError: unknown;
  const feeding = feed(source, zlib).catch((error: unknown) => {
    feedError = error;
    zlib.destroy();
  });
  try {
    for await (const chunk of zlib as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    await feeding;
    if (feedError) throw feedError;
    const code = (error as NodeJS.ErrnoException).code;
    const message = (error as Error).message;
    throw decodeFailure('gzip', code === 'Z_BUF_ERROR' ? 'unexpected end' : message);
  } finally {
    release();
    zlib.destroy();
  }
  await feeding;
  if (feedError) throw feedError;
}

async function* byProcess(format: Exclude<Compression, 'gzip'>, source: AsyncIterable<Buffer>, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const decoder = DECODERS[format];
  const child = spawn(decoder.command, decoder.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  // Given up: the decoder goes at once, whatever it waits for (its input, or room for its output).
  const release = onAbort(signal, () => child.kill('SIGKILL'));
  const status = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => {
    if (stderr.length < 4096) stderr += data.toString();
  });
  child.stdin.on('error', () => undefined); // EPIPE when the decoder stops early: its exit status says why
  let feedError: unknown;
  const feeding = feed(source, child.stdin as Duplex).catch((error: unknown) => {
    feedError = error;
    child.kill();
  });
  try {
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) yield chunk;
    } catch (error) {
      if (!(await status).error) throw error; // a decoder that could not start is reported below
    }
    const { code, error } = await status;
    if (signal?.aborted) throw abortError(signal);
    await feeding;
    if (feedError) throw feedError;
    if (error) {
      throw new ArchiveError('unsupported-compression', both(
        `le fichier est compressé en ${format} et \`${decoder.command}\` manque pour le lire (installez le paquet ${decoder.install})`,
        `the file is ${format}-compressed and \`${decoder.command}\` is not available to read it (install the ${decoder.install} package)`,
      ));
    }
    if (code !== 0) throw decodeFailure(format, stderr || `${decoder.command}: exit ${code}`);
  } finally {
    release();
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

/**
 * The decompressed bytes of source. Failures are ArchiveErrors (truncated, corrupt, too-large, unsupported);
 * once `signal` aborts, the decoder is stopped and the stream throws an AbortError.
 */
export function decompress(format: Compression, source: AsyncIterable<Buffer>, signal?: AbortSignal): AsyncGenerator<Buffer> {
  return format === 'gzip' ? gunzip(source, signal) : byProcess(format, source, signal);
}
