// CSV as RFC 4180 writes it and as spreadsheets actually save it: quoted fields with commas,
// line breaks and "" escapes; CRLF, LF or a lone CR between records; a BOM at the start. The
// parser is incremental so a 100,000-row import never holds the whole file. Writing is
// formula-injection safe: a cell a spreadsheet would run as a formula gets a leading apostrophe.

export interface CsvRecord {
  /** 1-based record number, the header being 1: the row a spreadsheet shows it on. */
  row: number;
  fields: string[];
}

/** The file cannot be read as CSV past this point; the message names the row. */
export class CsvError extends Error {
  override readonly name = 'CsvError';
}

/** Longest record accepted: an unclosed quote would otherwise swallow the rest of the file. */
export const MAX_RECORD_CHARS = 64 * 1024;

type State = 'start' | 'plain' | 'quoted' | 'quote-in-quoted';

export class CsvParser {
  private state: State = 'start';
  private field = '';
  private fields: string[] = [];
  private row = 1;
  private chars = 0;
  private skipLf = false;
  private first = true;

  constructor(private readonly maxRecordChars = MAX_RECORD_CHARS) {}

  /** Feeds the next piece of text; returns the records it completed. */
  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let i = 0;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (this.skipLf) {
        this.skipLf = false;
        if (c === '\n') continue;
      }
      if (++this.chars > this.maxRecordChars) {
        throw new CsvError(`row ${this.row} is longer than ${this.maxRecordChars} characters (a quote never closed?)`);
      }
      if (this.state === 'quoted') {
        if (c === '"') this.state = 'quote-in-quoted';
        else this.field += c;
        continue;
      }
      if (this.state === 'quote-in-quoted') {
        if (c === '"') {
          this.field += '"';
          this.state = 'quoted';
          continue;
        }
        // The closing quote. Anything before the next separator is kept as text, as spreadsheets do.
        this.state = 'plain';
      }
      if (c === ',') {
        this.fields.push(this.field);
        this.field = '';
        this.state = 'start';
      } else if (c === '\n' || c === '\r') {
        out.push(this.endRecord());
        this.skipLf = c === '\r';
      } else if (c === '"' && this.state === 'start') {
        this.state = 'quoted';
      } else {
        this.field += c;
        this.state = 'plain';
      }
    }
    return out;
  }

  /** The last record, when the file does not end with a line break. */
  end(): CsvRecord[] {
    if (this.state === 'quoted') throw new CsvError(`row ${this.row}: a quoted field is never closed`);
    if (this.state === 'start' && this.field === '' && this.fields.length === 0) return [];
    return [this.endRecord()];
  }

  private endRecord(): CsvRecord {
    this.fields.push(this.field);
    const record = { row: this.row, fields: this.fields };
    this.fields = [];
    this.field = '';
    this.state = 'start';
    this.chars = 0;
    this.row++;
    return record;
  }
}

/** Records from a stream of text; blank lines are skipped but still counted as rows. */
export async function* readCsv(chunks: AsyncIterable<string>, maxRecordChars = MAX_RECORD_CHARS): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser(maxRecordChars);
  const nonBlank = (r: CsvRecord) => !(r.fields.length === 1 && r.fields[0]!.trim() === '');
  for await (const chunk of chunks) yield* parser.push(chunk).filter(nonBlank);
  yield* parser.end().filter(nonBlank);
}

/** Parses a whole string (tests, small inputs). */
export function parseCsv(text: string): CsvRecord[] {
  const parser = new CsvParser(Number.MAX_SAFE_INTEGER);
  return [...parser.push(text), ...parser.end()];
}

// Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: neutralized when it would run as a formula, quoted when RFC 4180 requires it. */
export function csvCell(value: string | null | undefined): string {
  let s = value ?? '';
  if (FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One record with its CRLF line break (RFC 4180). */
export function csvLine(cells: readonly (string | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * Undoes csvCell's apostrophe, so exporting and importing again gives back the same values.
 * (A value that really began with an apostrophe before "=" loses it; no name or address does.)
 */
export function uncell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}
