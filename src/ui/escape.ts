// Text the lab did not write (an image's history, labels and files, a registry's tags and error messages, a
// student script's output, a report handed in by someone else) is shown, never obeyed. One module escapes it
// for each place it can land: a terminal, JUnit XML, a CSV gradebook.
import type { CsvDelimiter } from '../report/delimiter.js';

/**
 * Characters a terminal or a text viewer acts on instead of showing: C0 controls but tab and newline (ESC starts
 * a sequence that can clear the screen or retitle the window; CR overwrites a line), DEL, C1 controls (U+009B is
 * a one-byte CSI for some terminals), and the invisible marks that reorder or hide text (bidi overrides and
 * isolates, LRM, RLM, ALM), the "Trojan source" trick.
 */
const UNSAFE = '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE_CHAR = new RegExp(`[${UNSAFE}]`, 'g');
const UNSAFE_OR_NEWLINE = new RegExp(`[${UNSAFE}\\t\\n]`, 'g');

/**
 * The visible form of one character: `\u001b`. Inside a JSON string that is the same escape, so a guarded JSON
 * document still parses to the original text.
 */
function visible(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Untrusted text for a terminal or a log: every control character shown as `\u001b`; tab and newline kept. */
export function showControls(text: string): string {
  return text.replace(UNSAFE_CHAR, visible);
}

/** Same, for a value that must stay on one line (a table cell): tab and newline are shown too. */
export function showControlsInline(text: string): string {
  return text.replace(UNSAFE_OR_NEWLINE, visible);
}

/** Our own colours (SGR: ESC [ digits m) are the only sequence allowed through the guard. */
const GUARDED = new RegExp(`(\\u001b\\[[0-9;]*m)|[${UNSAFE}]`, 'g');

/**
 * The last line of defence at the output boundary (cli/main.ts writes everything through it): colours the
 * program added pass, any other control character becomes visible. Values should still be escaped where they
 * are rendered (showControls): a colour sequence inside an image's history would otherwise pass here.
 */
export function guardTerminal(text: string): string {
  return text.replace(GUARDED, (match, colour: string | undefined) => colour ?? visible(match));
}

/**
 * Text for XML content and attribute values: markup characters as entities, and characters XML 1.0 forbids
 * (C0 but tab, newline, CR; U+FFFE, U+FFFF; lone surrogates) or a viewer would obey shown as `\u001b`: a JUnit
 * parser rejects the whole file over one of them.
 */
export function xmlText(text: string): string {
  return showControls(text)
    .replace(/[\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, visible)
    .replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * One CSV cell, for a file whose cells are apart by `delimiter`. A spreadsheet runs a cell that starts with
 * = + - @ (or tab, CR, which it skips first) as a formula: such text gets a leading apostrophe, the usual mark for
 * "this is text". A cell holding a quote or the delimiter is quoted. Numbers stay numbers: with `;`, a French
 * spreadsheet's CSV, their decimal mark is its comma (33,3), or it would read them as text.
 */
export function csvCell(value: string | number, delimiter: CsvDelimiter = ','): string {
  if (typeof value === 'number') return delimiter === ';' ? String(value).replace('.', ',') : String(value);
  const text = showControlsInline(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
  return text.includes('"') || text.includes(delimiter) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Untrusted text inside Markdown (a table cell, a list item): on one line, with every character that would start
 * markup, a link, an HTML tag or an entity, or end a table cell, escaped by a backslash. It renders as written.
 */
export function markdownText(text: string): string {
  return showControlsInline(text).replace(/[\\`*_[\]<>|~&]/g, (char) => `\\${char}`);
}
