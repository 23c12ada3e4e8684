// Where the program's text leaves it. Everything written goes through the terminal guard (ui/escape), and a
// reader that goes away (`tp7 show ex1 | head -1`) ends the process quietly, as it ends `yes | head -1`.
import { ExitCode } from '../errors.js';
import { guardTerminal } from '../ui/escape.js';

export function writeOut(text: string): void {
  process.stdout.write(guardTerminal(text));
}

export function writeErr(text: string): void {
  process.stderr.write(guardTerminal(text));
}

const watched = new WeakSet<NodeJS.WriteStream>();

/**
 * Node ignores SIGPIPE, so a closed reader shows up as an EPIPE 'error' event on the stream; without a listener
 * it becomes an uncaught exception and a stack trace. Any other write failure (a full disk behind `> file`) is
 * one line on stderr, when stderr still works.
 */
export function endQuietlyOnClosedOutput(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (watched.has(stream)) continue; // main() may run several times in one process (the menu, tests)
    watched.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(ExitCode.outputClosed);
      try {
        if (stream !== process.stderr) process.stderr.write(`tp7: ${error.code ?? error.message}\n`);
      } finally {
        process.exit(ExitCode.outputFailed);
      }
    });
  }
}
