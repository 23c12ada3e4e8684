// The cell delimiters of CSV files, read (rosters, src/grade/csv.ts) and written (gradebooks, gradebook.ts).
// A spreadsheet in a French locale splits a CSV file on `;`, its comma being the decimal mark; in an English one,
// on `,`. So the gradebooks tp7 writes follow the run's language unless --delimiter (or the board's export
// `?delimiter=`) says otherwise: what a French instructor double-clicks opens in columns, with numbers as numbers.
import { UsageError } from '../errors.js';
import { both, type Lang } from '../lab/lang.js';

export const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** Each delimiter's spellings, as a user would type it on a command line or in a URL. */
const SPELLINGS: Record<CsvDelimiter, readonly string[]> = {
  ',': [',', 'comma', 'virgule'],
  ';': [';', 'semicolon', 'point-virgule', 'pointvirgule'],
  '\t': ['\t', 'tab', 'tabulation', '\\t'],
};

/** The delimiter a spelling names, or undefined. */
export function readDelimiter(spelling: string): CsvDelimiter | undefined {
  const word = spelling === '\t' ? spelling : spelling.trim().toLowerCase();
  return CSV_DELIMITERS.find((delimiter) => SPELLINGS[delimiter].includes(word));
}

/** The gradebooks' delimiter when none is asked for: the one spreadsheets of the run's language split on. */
export function defaultDelimiter(lang: Lang): CsvDelimiter {
  return lang === 'fr' ? ';' : ',';
}

/** What refusing a spelling says (a usage error of the CLI, a problem of the board's API). */
export const DELIMITER_FORMS = both('`,`, `;` ou `tab`', '`,`, `;` or `tab`');

/**
 * `--delimiter`, checked once before any work: its delimiter, else the language's default. It shapes the CSV
 * only: given without `--csv` it would do nothing, which is said rather than ignored.
 */
export function delimiterOption(value: string | boolean | undefined, csv: boolean, lang: Lang): CsvDelimiter {
  if (value === undefined) return defaultDelimiter(lang);
  const text = String(value);
  const delimiter = readDelimiter(text);
  if (!delimiter) throw new UsageError(both(`--delimiter vaut ${DELIMITER_FORMS.fr}, pas « ${text} »`, `--delimiter takes ${DELIMITER_FORMS.en}, not "${text}"`));
  if (!csv) throw new UsageError(both('--delimiter va avec --csv', '--delimiter goes with --csv'));
  return delimiter;
}
