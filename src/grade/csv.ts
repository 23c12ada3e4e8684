// CSV as spreadsheets write it (RFC 4180): commas, double-quoted cells that may hold commas, quotes ("") and line
// breaks, CRLF or LF, an optional byte-order mark. Each row keeps the line it starts on, for error messages.

export interface CsvRow {
  /** The file's line number (from 1) where the row starts. */
  line: number;
  cells: string[];
}

/** Every non-blank row of `text`. An unclosed quote runs to the end of the file, as spreadsheets read it. */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const source = text.replace(/^\uFEFF/, '');
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const endRow = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0]!.trim() !== '') rows.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (quoted) {
      if (char === '"' && source[i + 1] === '"') (cell += '"'), i++;
      else if (char === '"') quoted = false;
      else {
        if (char === '\n') line++;
        cell += char;
      }
    } else if (char === '"' && cell.trim() === '') {
      cell = '';
      quoted = true;
    } else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && source[i + 1] === '\n') i++;
      endRow();
      line++;
      start = line;
    } else cell += char;
  }
  if (cell !== '' || cells.length) endRow();
  return rows;
}
