// Colour only where a person reads it: off when piped, with NO_COLOR (https://no-color.org) or --no-color;
// FORCE_COLOR turns it on for tools that capture a pty.

let enabled = false;

/** Messages go to stdout and stderr alike: colour only when both reach a terminal, so no log gets escapes. */
export function setColor(option: boolean | undefined, streams: NodeJS.WriteStream[] = [process.stdout, process.stderr], env = process.env): void {
  if (option === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) enabled = false;
  else if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') enabled = true;
  else enabled = streams.every((stream) => stream.isTTY) && env.TERM !== 'dumb';
}

export function colorEnabled(): boolean {
  return enabled;
}

function paint(open: number, close: number) {
  return (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
}

export const style = {
  bold: paint(1, 22),
  dim: paint(2, 22),
  red: paint(31, 39),
  green: paint(32, 39),
  yellow: paint(33, 39),
  cyan: paint(36, 39),
};

/** Status marks that still read right without colour or in a plain log. */
export const MARKS = {
  pass: () => style.green('✔'),
  fail: () => style.red('✘'),
  error: () => style.yellow('!'),
  skip: () => style.dim('–'),
  partial: () => style.yellow('◐'),
  pending: () => style.dim('·'),
} as const;
