import { stripVTControlCharacters } from 'node:util';
import { colorEnabled } from './style.js';

/** Renders Markdown for the terminal; marked and marked-terminal load only when something is rendered. */
export async function renderMarkdown(markdown: string): Promise<string> {
  // Links as "text (url)", not OSC 8 hyperlinks: the output guard (ui/escape) lets only colours through.
  // supports-hyperlinks reads this when marked-terminal first loads it.
  process.env.FORCE_HYPERLINK ??= '0';
  const [{ Marked }, { markedTerminal }] = await Promise.all([import('marked'), import('marked-terminal')]);
  const width = Math.min(process.stdout.columns || 80, 100);
  const marked = new Marked();
  marked.use(markedTerminal({ width, reflowText: true, tab: 2 }) as Parameters<typeof marked.use>[0]);
  const text = String(await marked.parse(markdown));
  return colorEnabled() ? text : stripVTControlCharacters(text);
}
