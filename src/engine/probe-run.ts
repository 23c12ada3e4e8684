import type Docker from 'dockerode';
import { createOwnedContainer } from './image-file.js';
import type { ProbeRun, ProbeRunOptions } from './types.js';

// Pulling an image by digest and running one short command in it, for checks that must see an image really
// run (exercise 7: does each child of a list run its own architecture?). The container carries tp7's probe
// label and its owner, and is removed whatever happens (a stopped tp7 included), so it can never be mistaken
// for the student's.

const DEFAULT_RUN_MS = 20_000;

/** Pulls `ref` (a tag or repo@digest), for `platform` when given; throws with the engine's own words. */
export async function pullImage(docker: Docker, ref: string, platform?: string): Promise<void> {
  const stream = (await docker.pull(ref, platform ? { platform } : {})) as NodeJS.ReadableStream;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, events: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
      const failed = events?.find((event) => event.error || event.errorDetail);
      if (error) reject(error);
      else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
      else resolve();
    });
  });
}

/** Runs `entrypoint` (or the image's own command) in `ref` under `platform` and returns its exit code and output (stdout and stderr). */
export async function runProbe(docker: Docker, ref: string, options: ProbeRunOptions): Promise<ProbeRun> {
  const ownCommand = !options.entrypoint;
  const { container, release } = await createOwnedContainer(
    docker,
    {
      Image: ref,
      ...(options.entrypoint ? { Entrypoint: options.entrypoint, Cmd: options.cmd ?? [] } : options.cmd ? { Cmd: options.cmd } : {}),
      NetworkDisabled: true,
      // A terminal keeps stdout and stderr in one plain stream (no multiplexing headers to strip). The image's
      // own command runs without one, as a plain `docker run` does: a shell given a terminal would wait for
      // input instead of ending (alpine's CMD ["/bin/sh"]).
      Tty: ownCommand ? false : true,
      HostConfig: { AutoRemove: false },
    },
    options.platform ? { platform: options.platform } : undefined,
  );
  try {
    let startError: string | undefined;
    await container.start().catch((error: { json?: { message?: string }; message?: string }) => {
      startError = error.json?.message ?? error.message ?? String(error);
    });
    if (startError !== undefined) return { exitCode: null, output: startError };
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, options.timeoutMs ?? DEFAULT_RUN_MS, 'timeout').unref());
    const ended = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, timeout]);
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const output = Buffer.isBuffer(logs) ? (ownCommand ? demultiplexed(logs) : logs).toString('utf8') : String(logs);
    return ended === 'timeout' ? { exitCode: null, output, timedOut: true } : { exitCode: ended.StatusCode, output };
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    release();
  }
}

/** The logs of a container without a terminal come in frames: 8-byte header (stream, 0, 0, 0, size BE). */
export function demultiplexed(logs: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= logs.length) {
    const size = logs.readUInt32BE(at + 4);
    parts.push(logs.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts);
}
