/**
 * Bytes to text. UTF-8 (BOM or not) and UTF-16 with a BOM are recognised; `--encoding` takes any WHATWG
 * label; a file that is not valid UTF-8 in its first megabyte and holds no valid multi-byte UTF-8 there is read as
 * windows-1252 with a warning; one that mixes valid UTF-8 characters with invalid bytes is an error naming the line.
 * Legacy encodings go through iconv-lite because Node 20's TextDecoder maps windows-1252's 0x80–0x9F to
 * control characters (nodejs/node#60888).
 */
import { isUtf8 } from 'node:buffer';
import { InputError, UsageError } from '../errors.js';
import { utf16WithoutBom } from './utf16.js';
import { incompleteTail, invalidUtf8, lineOfInvalidUtf8 } from './utf8.js';
import { requireCjs } from '../util/require.js';

let iconvLib: typeof import('iconv-lite') | undefined;

/** iconv-lite (and its tables) for a label other than UTF-8 only. */
function iconv(): typeof import('iconv-lite') {
  return (iconvLib ??= requireCjs('iconv-lite') as typeof import('iconv-lite'));
}

export interface DecodeOptions {
  /** A WHATWG label given by the user; disables detection. */
  encoding?: string;
  file: string;
  warn: (message: string) => void;
}

const HEAD_BYTES = 1 << 20;

/** Normalises a user's label; throws a usage error for an unknown one. */
export function checkEncoding(label: string): string {
  const l = label.trim().toLowerCase();
  if (l === 'utf8' || l === 'utf-8' || l === 'unicode-1-1-utf-8') return 'utf-8';
  if (!iconv().encodingExists(l)) {
    throw new UsageError(`unknown encoding '${label}'`, {}, 'use a WHATWG label such as utf-8, windows-1252, iso-8859-15, utf-16le, shift_jis');
  }
  return l;
}

function validUtf8Prefix(buf: Buffer, complete: boolean): boolean {
  if (isUtf8(buf)) return true;
  if (complete) return false;
  // The head may end inside a multi-byte character.
  for (let cut = 1; cut <= 3 && cut < buf.length; cut++) if (isUtf8(buf.subarray(0, buf.length - cut))) return true;
  return false;
}

/** Whether the bytes hold at least one valid multi-byte UTF-8 sequence (a character beyond ASCII). */
export function hasMultibyteUtf8(b: Uint8Array): boolean {
  const n = b.length;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c < 0xc2 || c > 0xf4) continue;
    const need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
    if (i + need >= n) return false;
    let ok = true;
    for (let k = 1; k <= need; k++) if ((b[i + k]! & 0xc0) !== 0x80) ok = false;
    // Overlong and surrogate forms are not characters.
    if (ok && c === 0xe0 && b[i + 1]! < 0xa0) ok = false;
    if (ok && c === 0xed && b[i + 1]! >= 0xa0) ok = false;
    if (ok && c === 0xf0 && b[i + 1]! < 0x90) ok = false;
    if (ok && c === 0xf4 && b[i + 1]! >= 0x90) ok = false;
    if (ok) return true;
  }
  return false;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** The encoding told from the head of an input, and its bytes: the head without its BOM, then the rest. */
export interface Detected {
  encoding: string;
  /** The first megabyte or so, without the byte order mark. */
  head: Buffer;
  /** The bytes of that mark (0 without one): `head[0]` is this far into the input. */
  skipped: number;
  /** True when the head is the whole input. */
  ended: boolean;
  rest: AsyncIterator<Buffer>;
}

export async function detectEncoding(bytes: AsyncIterable<Buffer>, opts: DecodeOptions): Promise<Detected> {
  const it = bytes[Symbol.asyncIterator]();
  const headParts: Buffer[] = [];
  let headLen = 0;
  let ended = false;
  while (headLen < HEAD_BYTES) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    headParts.push(r.value);
    headLen += r.value.length;
  }
  const head = Buffer.concat(headParts);

  let encoding: string;
  let skip = 0;
  if (opts.encoding) {
    encoding = checkEncoding(opts.encoding);
    if (encoding === 'utf-8' && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) skip = 3;
  } else if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    encoding = 'utf-8';
    skip = 3;
  } else if (head[0] === 0xff && head[1] === 0xfe) {
    encoding = 'utf-16le';
    skip = 2;
  } else if (head[0] === 0xfe && head[1] === 0xff) {
    encoding = 'utf-16be';
    skip = 2;
  } else if (utf16WithoutBom(head)) {
    const e = utf16WithoutBom(head)!;
    throw new InputError(`looks like ${e.toUpperCase()} text without a byte order mark`, { file: opts.file }, `pass --encoding ${e}`);
  } else if (validUtf8Prefix(head, ended)) {
    encoding = 'utf-8';
  } else if (hasMultibyteUtf8(head)) {
    // Valid UTF-8 characters beside an invalid byte: reading it all as windows-1252 would turn every `ë` into `Ã«`.
    const line = lineOfInvalidUtf8(head, 0, ended ? head.length : head.length - incompleteTail(head), 1);
    throw new InputError(`invalid UTF-8 on line ${line}, in a file that holds valid UTF-8 elsewhere`, { file: opts.file, line }, 'fix that byte, or pass --encoding with the encoding the file was saved in');
  } else {
    encoding = 'windows-1252';
    opts.warn(`${opts.file}: not valid UTF-8 and no UTF-8 character in it, read as windows-1252 — pass --encoding to choose another`);
  }

  return { encoding, head: skip ? head.subarray(skip) : head, skipped: skip, ended, rest: it };
}

/** The text of a detected input, in chunks; `firstLine` is the line its first byte is on, for errors. */
export async function* decodeText(d: Detected, file: string, firstLine = 1): AsyncGenerator<string> {
  const { encoding, ended, rest: it } = d;
  const first = d.head;
  let lines = firstLine;
  if (encoding === 'utf-8') {
    const dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    // The bytes of a character cut at the end of the last chunk, to find the line of an error in the next one.
    let carry = Buffer.alloc(0);
    const step = (buf: Buffer | undefined, done: boolean): string => {
      try {
        const s = done ? dec.decode(buf) : dec.decode(buf, { stream: true });
        if (buf) {
          const tail = Buffer.concat([carry, buf.subarray(-3)]);
          carry = tail.subarray(tail.length - incompleteTail(tail));
        }
        return s;
      } catch {
        const data = buf ? Buffer.concat([carry, buf]) : carry;
        // Unless done, a character incomplete at the end is not held against the data.
        throw invalidUtf8(file, lineOfInvalidUtf8(data, 0, done ? data.length : data.length - incompleteTail(data), lines));
      }
    };
    if (first.length) {
      const s = step(first, ended);
      lines += countNewlines(s);
      yield s;
    }
    if (ended) return;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const s = step(r.value, false);
      lines += countNewlines(s);
      if (s) yield s;
    }
    const tail = step(undefined, true);
    if (tail) yield tail;
  } else {
    const dec = iconv().getDecoder(encoding, { stripBOM: false });
    if (first.length) yield dec.write(first);
    if (!ended) for (let r = await it.next(); !r.done; r = await it.next()) yield dec.write(r.value);
    const tail = dec.end();
    if (tail) yield tail;
  }
}
