/**
 * JSON and NDJSON records, flattened to string values with dotted keys (`properties.email`), so the rest
 * of funnel sees every format as a table of text.
 */
import { InputError } from '../errors.js';

export type FlatRecord = Map<string, string>;

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** Nested objects become dotted keys; arrays stay whole, as JSON text, in one column. */
export function flatten(obj: Record<string, unknown>, into: FlatRecord = new Map(), prefix = ''): FlatRecord {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, into, key);
    else into.set(key, scalarText(v));
  }
  return into;
}

function lineCol(text: string, pos: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, col: pos - last };
}

function syntaxPosition(e: unknown): number | undefined {
  const m = /position (\d+)/.exec((e as Error).message);
  return m ? Number(m[1]) : undefined;
}

function isRecordArray(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x));
}

/**
 * The records of a JSON document: an array of objects, or an object holding exactly one such array
 * (`{"results": [...]}`, as CRM APIs answer). `line` of each record is its position, 1-based.
 */
export function jsonRecords(text: string, file: string): FlatRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const pos = syntaxPosition(e);
    const where = pos === undefined ? {} : lineCol(text, pos);
    throw new InputError(`invalid JSON (${(e as Error).message})`, { file, ...where }, 'check the syntax near this place, or name an NDJSON file .ndjson');
  }
  let arr: unknown[];
  if (Array.isArray(doc)) {
    arr = doc;
  } else if (doc !== null && typeof doc === 'object') {
    const arrays = Object.entries(doc as Record<string, unknown>).filter(([, v]) => Array.isArray(v) && v.length > 0 && isRecordArray(v));
    if (arrays.length !== 1) {
      throw new InputError(
        arrays.length === 0 ? 'JSON object holds no array of records' : `JSON object holds ${arrays.length} arrays of records (${arrays.map(([k]) => k).join(', ')})`,
        { file },
        'give an array of objects, or an object holding exactly one such array',
      );
    }
    arr = arrays[0]![1] as unknown[];
  } else {
    throw new InputError('JSON is neither an array nor an object', { file }, 'give an array of objects');
  }
  return arr.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new InputError(`record ${i + 1} is not an object`, { file, line: i + 1 }, 'every element of the array must be an object');
    }
    return flatten(item as Record<string, unknown>);
  });
}

/** One NDJSON line; empty lines are skipped by the caller. */
export function ndjsonRecord(line: string, file: string, lineNo: number): FlatRecord {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    const pos = syntaxPosition(e);
    throw new InputError(`invalid JSON line (${(e as Error).message})`, { file, line: lineNo, col: pos === undefined ? undefined : pos + 1 }, 'every line of an NDJSON file must be one JSON object');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new InputError('NDJSON line is not an object', { file, line: lineNo }, 'every line of an NDJSON file must be one JSON object');
  }
  return flatten(v as Record<string, unknown>);
}

/** Lines of a text stream, with their 1-based numbers; CRLF tolerated. */
export async function* textLines(chunks: AsyncIterable<string>): AsyncGenerator<{ text: string; line: number }> {
  let buf = '';
  let line = 0;
  for await (const c of chunks) {
    buf += c;
    let start = 0;
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', start)) {
      line++;
      const end = nl > start && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield { text: buf.slice(start, end), line };
      start = nl + 1;
    }
    buf = buf.slice(start);
  }
  if (buf.length) yield { text: buf.replace(/\r$/, ''), line: line + 1 };
}
