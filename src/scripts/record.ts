// The record of a recorded run, as the shell shim writes it (shell-shim.ts, tp7_record): for each docker call,
// fields each ended by a NUL byte: "tp7-call", the number of arguments, the arguments, then "-", or the length
// of what a forwarded read printed followed by those bytes. An argument may hold any byte but NUL (which no
// argument can hold), so quotes, newlines and any text come back exactly as the script gave them.
import { StringDecoder } from 'node:string_decoder';
import type { RecordedCall } from './command-rules.js';

const MARKER = 'tp7-call';
const COUNT = /^(0|[1-9][0-9]{0,8})$/;

/** The calls of a record, in order; a truncated last call (the run stopped while writing it) is left out. */
export function readRecord(bytes: Buffer): RecordedCall[] {
  const calls: RecordedCall[] = [];
  let at = 0;
  const field = (): Buffer | undefined => {
    const end = bytes.indexOf(0, at);
    if (end < 0) return undefined;
    const found = bytes.subarray(at, end);
    at = end + 1;
    return found;
  };
  while (at < bytes.length) {
    if (field()?.toString('latin1') !== MARKER) break;
    const count = field()?.toString('latin1');
    if (count === undefined || !COUNT.test(count)) break;
    const argv: string[] = [];
    for (let index = 0; index < Number(count); index++) {
      const argument = field();
      if (!argument) return calls;
      argv.push(argument.toString('utf8'));
    }
    const output = field()?.toString('latin1');
    if (output === '-') {
      calls.push({ argv });
      continue;
    }
    if (output === undefined || !COUNT.test(output) || at + Number(output) > bytes.length) break;
    // The shim keeps the first bytes of the output: a character cut at the end is left out, not mangled.
    calls.push({ argv, stdout: new StringDecoder('utf8').write(bytes.subarray(at, at + Number(output))) });
    at += Number(output);
  }
  return calls;
}
