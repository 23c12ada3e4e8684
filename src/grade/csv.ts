// A CSV file as a spreadsheet saved it: parsed by csv-parse (required on first use, as src/yaml.ts loads yaml:
// only `tp7 grade` reads a CSV), in the encoding and with the delimiter the file has. Excel in a French locale
// writes `;` between cells (the comma is the decimal mark there) and Windows-1252 text, or UTF-8 with a
// byte-order mark ("CSV UTF-8"); LibreOffice may write tabs or UTF-16. Each row keeps the line it starts on.
import { createRequire } from 'node:module';
import { both, type LocalizedText } from '../lab/lang.js';
import { CSV_DELIMITERS, type CsvDelimiter } from '../report/delimiter.js';

type CsvParse = typeof import('csv-parse/sync');

let loaded: CsvParse | undefined;

function csvParse(): CsvParse {
  loaded ??= createRequire(import.meta.url)('csv-parse/sync') as CsvParse;
  return loaded;
}

export interface CsvRow {
  /** The file's line number (from 1) where the row starts. */
  line: number;
  cells: string[];
}


/**
 * The text of a file's bytes: UTF-8 or UTF-16 by their byte-order mark, UTF-8 without one when the bytes are
 * valid UTF-8, else Windows-1252 (what Excel writes for "CSV (séparateur : point-virgule)"). Windows-1252 gives
 * a character to nearly every byte, so it is the last guess, never the first: valid UTF-8 is almost never
 * Windows-1252 text by chance.
 */
export function decodeText(bytes: Uint8Array): string {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (a === 0xff && b === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (a === 0xfe && b === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Excel's own hint on the first line (`sep=;`), which it writes and honours. */
const SEPARATOR_LINE = /^sep=(.)$/;

/**
 * The delimiter of the header line (the first that is not blank), counted outside quotes: the one it holds most
 * of, `,` when it holds none. The header names the fields (student, engine, workdir...), which hold none of the
 * three: a comma in a name or a colon in an engine address further down cannot mislead it.
 */
export function detectDelimiter(lines: readonly string[]): CsvDelimiter {
  const header = lines.find((line) => line.trim() !== '') ?? '';
  const counts = new Map<CsvDelimiter, number>(CSV_DELIMITERS.map((delimiter) => [delimiter, 0]));
  let quoted = false;
  for (const char of header) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char as CsvDelimiter)) counts.set(char as CsvDelimiter, counts.get(char as CsvDelimiter)! + 1);
  }
  return CSV_DELIMITERS.reduce((best, delimiter) => (counts.get(delimiter)! > counts.get(best)! ? delimiter : best));
}

/** csv-parse's refusals (English only) in our words, with the line they are about. */
function unreadable(code: string, line: number): LocalizedText {
  if (code === 'CSV_QUOTE_NOT_CLOSED') return both(`ligne ${line} : un guillemet ouvert ici n’est jamais fermé`, `line ${line}: a quote opened here is never closed`);
  return both(`ligne ${line} : CSV illisible (${code})`, `line ${line}: unreadable CSV (${code})`);
}

/**
 * Every row of `text` that holds something (a blank line, or one of empty cells as Excel leaves under a table,
 * is no row), or the first place the file cannot be read. RFC 4180 quoting: a quoted cell may hold the
 * delimiter, `""` and line breaks; a quote inside an unquoted cell, or after a closing one, is a character.
 */
export function parseCsv(text: string): { rows: CsvRow[]; delimiter: CsvDelimiter } | { problem: LocalizedText } {
  // One kind of line end: csv-parse counts a CRLF inside a quoted cell as two lines.
  let lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const hint = SEPARATOR_LINE.exec(lines[0] ?? '')?.[1];
  const skipped = hint === undefined ? 0 : 1;
  if (hint !== undefined) lines = lines.slice(1);
  const delimiter = CSV_DELIMITERS.find((each) => each === hint) ?? detectDelimiter(lines);
  const rows: CsvRow[] = [];
  let lastEnd = 0;
  const keep = (record: string[], info: { lines: number }) => {
    lastEnd = info.lines;
    if (record.every((cell) => cell.trim() === '')) return;
    // info.lines is where the record ends: a quoted line break moves its start up.
    const breaks = record.reduce((sum, cell) => sum + cell.split('\n').length - 1, 0);
    rows.push({ line: info.lines - breaks + skipped, cells: record });
  };
  try {
    csvParse().parse(lines.join('\n'), { delimiter, relax_quotes: true, relax_column_count: true, skip_empty_lines: true, on_record: (record: string[], info) => void keep(record, info) });
  } catch (error) {
    const { code } = error as { code?: string };
    // Where the record that failed starts: the first line holding something after the last one read.
    let line = lastEnd + 1;
    while (line - 1 < lines.length && lines[line - 1]!.trim() === '') line++;
    return { problem: unreadable(code ?? 'CSV_ERROR', line + skipped) };
  }
  return { rows, delimiter };
}
