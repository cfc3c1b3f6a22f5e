// RFC 4180 CSV as a stream of rows: quoted fields with "" escapes, commas and line breaks inside quotes,
// CRLF or LF line ends, a UTF-8 BOM ignored, blank lines skipped. Only the current row is held, so a
// million rows cost one. Errors name the line, never the content (the content is what EDM protects).

export class CsvError extends Error {
  readonly code = 'RG_EDM_CSV';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

type State = 'start' | 'unquoted' | 'quoted' | 'quote-in-quoted';

export async function* parseCsv(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8');
  let state: State = 'start';
  let row: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let skipLf = false;
  let first = true;
  const endRow = (out: string[][]): void => {
    row.push(field);
    field = '';
    if (!(row.length === 1 && row[0] === '')) out.push(row);
    row = [];
    rowLine = line;
  };
  // A comma ends the field; a line end ends the row too (a CR may be followed by its LF).
  const endField = (c: number, out: string[][]): void => {
    if (c === COMMA) {
      row.push(field);
      field = '';
    } else {
      line++;
      endRow(out);
      skipLf = c === CR;
    }
  };
  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const rows: string[][] = [];
    // start of the current run of plain characters of `field` in `text`
    let run = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (skipLf) {
        skipLf = false;
        if (c === LF) {
          run = i + 1;
          continue;
        }
      }
      switch (state) {
        case 'start':
        case 'unquoted':
          if (c === COMMA || c === CR || c === LF) {
            field += text.slice(run, i);
            run = i + 1;
            endField(c, rows);
            state = 'start';
          } else if (c === QUOTE && state === 'start') {
            state = 'quoted';
            run = i + 1;
          } else state = 'unquoted';
          break;
        case 'quoted':
          if (c === QUOTE) {
            field += text.slice(run, i);
            run = i + 1;
            state = 'quote-in-quoted';
          } else if (c === LF) line++;
          break;
        case 'quote-in-quoted':
          if (c === QUOTE) {
            // "" is one quote; the second one starts the next run
            run = i;
            state = 'quoted';
          } else if (c === COMMA || c === CR || c === LF) {
            run = i + 1;
            endField(c, rows);
            state = 'start';
          } else throw new CsvError(rowLine, 'text after a closing quote (write "" for a quote inside a quoted field)');
          break;
        default: {
          const never: never = state;
          throw new Error(`RG_EDM_INTERNAL: csv state ${String(never)}`);
        }
      }
    }
    if (state !== 'quote-in-quoted') field += text.slice(run);
    for (const r of rows) yield r;
  }
  if (state === 'quoted') throw new CsvError(rowLine, 'a quoted field is not closed before the end of the file');
  const rows: string[][] = [];
  if (field !== '' || row.length > 0 || (state as State) === 'quote-in-quoted') endRow(rows);
  for (const r of rows) yield r;
}
