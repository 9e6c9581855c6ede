/**
 * A JSON or NDJSON input as a table, in two streaming passes: the first learns the columns (every flattened key
 * of every record, so a name resolves to the same column whatever record comes first), the second yields the
 * rows. Standard input, which cannot be read twice, is kept in a temporary file during the first pass.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { copyError, openScratch, releaseScratch } from '../util/scratch.js';
import { readBytes, type InputRef } from './bytes.js';
import { decodeText, detectEncoding } from './decode.js';
import { JsonReader, SEP, type FlatRecord, type JsonShape, type PathKey } from './json.js';

export interface JsonLayout {
  /** Column names, in order of first appearance. */
  columns: string[];
  /** Path of a flattened key → its column. */
  index: Map<PathKey, number>;
  /** The member of a top-level object holding the records; '' for an array or NDJSON. */
  member: string;
}

interface MemberKeys {
  paths: Map<PathKey, number>;
  records: number;
  notRecords: number;
}

/**
 * Names for the paths: segments joined with dots. A flat key with a dot equal to a flattened nested one
 * (`"properties.Name"` beside `"properties": {"Name"}`) would be one column: both are kept, the nested key under
 * the name, the other with `_2`, and a warning says so.
 */
export function nameColumns(paths: readonly PathKey[], file: string, warn: (m: string) => void): string[] {
  const names = paths.map((p) => p.split(SEP).join('.'));
  const groups = new Map<string, number[]>();
  names.forEach((n, i) => groups.set(n, [...(groups.get(n) ?? []), i]));
  const taken = new Set(names);
  const dotsInSegments = (p: PathKey): number => p.split(SEP).reduce((a, s) => a + (s.split('.').length - 1), 0);
  for (const [name, idx] of groups) {
    if (idx.length < 2) continue;
    const order = [...idx].sort((a, b) => dotsInSegments(paths[a]!) - dotsInSegments(paths[b]!) || a - b);
    for (const i of order.slice(1)) {
      let k = 2;
      while (taken.has(`${name}_${k}`)) k++;
      names[i] = `${name}_${k}`;
      taken.add(names[i]!);
      warn(`${file}: the key '${name}' is both a nested key and a key written with a dot; the second is the column '${names[i]}'`);
    }
  }
  return names;
}

async function feedAll(reader: JsonReader, text: AsyncIterable<string>): Promise<void> {
  for await (const chunk of text) reader.feed(chunk);
  reader.end();
}

export async function jsonLayout(text: AsyncIterable<string>, file: string, shape: JsonShape, maxRecordSize: number, warn: (m: string) => void): Promise<JsonLayout> {
  const members = new Map<string, MemberKeys>();
  const of = (m: string): MemberKeys => {
    let k = members.get(m);
    if (!k) members.set(m, (k = { paths: new Map(), records: 0, notRecords: 0 }));
    return k;
  };
  const reader = new JsonReader(file, shape, {
    record(fields: FlatRecord, _line: number, member: string) {
      const k = of(member);
      k.records++;
      for (const [p] of fields) if (!k.paths.has(p)) k.paths.set(p, k.paths.size);
    },
    notRecord(member: string) {
      of(member).notRecords++;
    },
  }, maxRecordSize);
  await feedAll(reader, text);
  if (shape === 'json' && reader.topKind === undefined) throw new InputError('empty file', { file }, 'export again; a JSON file needs an array of records');
  let member = '';
  if (reader.topKind === 'obj') {
    const arrays = [...members].filter(([, k]) => k.records > 0 && k.notRecords === 0);
    if (arrays.length !== 1) {
      throw new InputError(
        arrays.length === 0 ? 'JSON object holds no array of records' : `JSON object holds ${arrays.length} arrays of records (${arrays.map(([m]) => m).join(', ')})`,
        { file },
        'give an array of objects, or an object holding exactly one such array',
      );
    }
    member = arrays[0]![0];
  }
  const paths = [...(members.get(member)?.paths.keys() ?? [])];
  const columns = nameColumns(paths, file, warn);
  return { columns, index: new Map(paths.map((p, i) => [p, i])), member };
}

/** The rows of the second pass, aligned with `headers` (the layout's columns unless the caller knows others). */
export async function* jsonRows(text: AsyncIterable<string>, file: string, shape: JsonShape, layout: JsonLayout, headers: readonly string[], maxRecordSize: number): AsyncGenerator<{ values: string[]; line: number; width: number }> {
  const at = new Map(headers.map((h, i) => [h, i]));
  const target = layout.columns.map((c) => at.get(c) ?? -1);
  const n = headers.length;
  let queue: { values: string[]; line: number; width: number }[] = [];
  const reader = new JsonReader(file, shape, {
    record(fields: FlatRecord, line: number, member: string) {
      if (member !== layout.member) return;
      const values = new Array<string>(n).fill('');
      for (const [p, v] of fields) {
        const c = layout.index.get(p);
        // A key the first pass did not see: the file changed in between; the row count check will say so.
        if (c !== undefined && target[c]! >= 0) values[target[c]!] = v;
      }
      queue.push({ values, line, width: n });
    },
  }, maxRecordSize);
  for await (const chunk of text) {
    reader.feed(chunk);
    if (queue.length) {
      const q = queue;
      queue = [];
      yield* q;
    }
  }
  reader.end();
  yield* queue;
}

/** The text of an input for a second pass: read again from the file, or from where standard input was kept. */
export interface Replay {
  first: AsyncIterable<string>;
  again(): AsyncIterable<string>;
  /** Removes what was kept. */
  done(): Promise<void>;
}

export function replayable(ref: InputRef, text: AsyncIterable<string>, opts: { stdin?: Readable; encoding?: string }): Replay {
  if (ref.path !== '-') {
    return {
      first: text,
      async *again() {
        const d = await detectEncoding(readBytes(ref, { stdin: opts.stdin }), { encoding: opts.encoding, file: ref.name, warn: () => {} });
        yield* decodeText(d, ref.name);
      },
      done: async () => {},
    };
  }
  let path = '';
  async function* keep(): AsyncGenerator<string> {
    // Personal data: the owner's only, removed by the run — also on SIGTERM, and by a later run after a SIGKILL.
    // Created before the next turn of the event loop, so that a signal's handler finds it to remove.
    const { path: kept, fd } = openScratch('stdin.json');
    path = kept;
    const out = createWriteStream(path, { encoding: 'utf8', fd });
    let failed: NodeJS.ErrnoException | undefined;
    out.on('error', (e) => (failed ??= e));
    try {
      for await (const chunk of text) {
        // A failed write ends the wait as `drain` would; `failed` then says what went wrong.
        if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'close')]).catch(() => undefined);
        if (failed) throw copyError(path, failed);
        yield chunk;
      }
    } finally {
      if (!out.destroyed) out.end();
      if (!out.closed) await once(out, 'close').catch(() => undefined);
    }
    if (failed) throw copyError(path, failed);
  }
  return {
    first: keep(),
    again: () => createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>,
    done: async () => {
      if (path) releaseScratch(path);
    },
  };
}
