import { execa, type ResultPromise } from 'execa';

/** Every engine event from now on, as `docker events` prints them (JSON, one a line), until `stop`. */
export function recordEvents(filters: string[] = []): { lines: () => string[]; stop: () => Promise<void>; ready: Promise<void> } {
  const child: ResultPromise = execa('docker', ['events', '--format', '{{json .}}', ...filters.flatMap((filter) => ['--filter', filter])], { reject: false, buffer: false });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    lines: () => output.split('\n').filter(Boolean),
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
    // docker events subscribes at once; a short pause makes sure the stream is open before the test acts.
    ready: new Promise((resolve) => setTimeout(resolve, 300)),
  };
}
