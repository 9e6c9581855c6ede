/**
 * JSON and NDJSON records, flattened to text values with dotted keys (`properties.email`), so the rest of funnel
 * sees every format as a table of text. A tokenizer of our own, because values must stay as written:
 * JSON.parse turns `12345678901234567890` into `…7000` and `1.10` into `1.1`. It is pushed chunks of text and
 * keeps no more than the record it is in, with an explicit stack (a document nested 100k deep is an error, not a
 * stack overflow), so a JSON file of any size streams, one record at most `maxRecordSize` characters long.
 */
import { InputError } from '../errors.js';
import { MAX_DEPTH, SEP, type FlatRecord, type JsonShape, type PathKey, type RecordSink } from './json-record.js';

export { MAX_DEPTH, SEP, type FlatRecord, type JsonShape, type PathKey, type RecordSink } from './json-record.js';

type Role = 'top' | 'records' | 'record' | 'text' | 'skip';

interface Frame {
  kind: 'obj' | 'arr';
  role: Role;
  /** obj: 'key' | 'colon' | 'value' | 'next'; arr: 'value' | 'next'. `first` allows the closing bracket. */
  expect: 'key' | 'colon' | 'value' | 'next';
  first: boolean;
  key: string;
  /** The key as written (escapes kept), for objects inside kept array text. */
  rawKey: string;
  /** A record object: the path prefix of its keys (with a trailing SEP, '' at the record's top). */
  prefix: string;
  /** A `records` array: the member holding it. */
  member: string;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export class JsonReader {
  private readonly stack: Frame[] = [];
  private line = 1;
  /** Offset of the character after the last line break, for columns. */
  private lineStart = 0;
  private pos = 0;
  /** The offset of the chunk being read. */
  private base = 0;
  // The token being read across chunks.
  private tok: 'none' | 'str' | 'num' | 'lit' = 'none';
  private esc = 0;
  private hex = '';
  private parts: string[] = [];
  private raw: string[] = [];
  private tokLen = 0;
  private tokLine = 1;
  private tokCol = 1;
  // The record being built.
  private fields: FlatRecord = [];
  private recLine = 0;
  private recStart = -1;
  private text: string[] = [];
  private textDepth = 0;
  private pendingPath = '';
  private topDone = false;
  /** The kind of the first top-level value, once met. */
  topKind?: 'obj' | 'arr';
  private records = 0;

  constructor(
    private readonly file: string,
    private readonly shape: JsonShape,
    private readonly sink: RecordSink,
    private readonly maxRecordSize: number,
  ) {}

  private fail(message: string, line = this.line, col = this.pos - this.lineStart + 1): never {
    const ndjson = this.shape === 'ndjson';
    throw new InputError(ndjson ? `invalid JSON line (${message})` : `invalid JSON (${message})`, { file: this.file, line, col }, ndjson ? 'every line of an NDJSON file must be one JSON object' : 'check the syntax near this place, or name an NDJSON file .ndjson');
  }

  private checkSize(): void {
    if (this.recStart >= 0 && this.pos - this.recStart > this.maxRecordSize) {
      throw new InputError(`a record longer than ${Math.round(this.maxRecordSize / (1 << 20))} MB`, { file: this.file, line: this.recLine }, 'is the file cut short, or one huge value? a record must stay under that size');
    }
  }

  feed(chunk: string): void {
    const n = chunk.length;
    let i = 0;
    const base = this.pos;
    this.base = base;
    while (i < n) {
      this.pos = base + i;
      if (this.tok === 'str') {
        i = this.string(chunk, i);
        continue;
      }
      if (this.tok === 'num' || this.tok === 'lit') {
        let j = i;
        const re = this.tok === 'num' ? isNumChar : isLitChar;
        while (j < n && re(chunk.charCodeAt(j))) j++;
        this.parts.push(chunk.slice(i, j));
        this.tokLen += j - i;
        if (this.tokLen > this.maxRecordSize) this.tooLong();
        if (j === n) {
          i = j;
          break;
        }
        this.pos = base + j;
        this.endScalar();
        i = j;
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === 10) {
        this.line++;
        this.lineStart = base + i + 1;
        i++;
        continue;
      }
      if (c === 32 || c === 9 || c === 13) {
        i++;
        continue;
      }
      this.punct(c, chunk[i]!);
      i++;
    }
    this.pos = base + n;
    this.checkSize();
  }

  /** Called once the input ended. */
  end(): void {
    if (this.tok === 'num' || this.tok === 'lit') this.endScalar();
    if (this.tok === 'str') this.fail('a string is not closed', this.tokLine, this.tokCol);
    if (this.stack.length) this.fail(`the input ends inside ${this.stack.length} unclosed bracket(s)`);
    if (this.shape === 'json' && !this.topDone) this.fail('no JSON value');
  }

  private startToken(kind: 'str' | 'num' | 'lit'): void {
    this.tok = kind;
    this.parts = [];
    this.raw = [];
    this.tokLen = 0;
    this.tokLine = this.line;
    this.tokCol = this.pos - this.lineStart + 1;
  }

  /** Reads a string from `i` (inside it); returns where reading stopped. */
  private string(chunk: string, i: number): number {
    const n = chunk.length;
    let start = i;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (this.esc) {
        i = this.escape(chunk, i);
        start = i;
        continue;
      }
      if (c === 34) {
        this.take(chunk, start, i);
        this.tok = 'none';
        this.scalar('str', this.parts.join(''), this.raw.join(''));
        return i + 1;
      }
      if (c === 92) {
        this.take(chunk, start, i);
        this.esc = 1;
        this.raw.push('\\');
        i++;
        start = i;
        continue;
      }
      if (c < 0x20) {
        this.pos = this.base + i;
        this.fail(c === 10 ? 'a line break inside a string' : 'a control character inside a string');
      }
      i++;
    }
    this.take(chunk, start, n);
    if (this.tokLen > this.maxRecordSize) this.tooLong();
    return n;
  }

  /** A token past the record limit: inside a record the record is too long, elsewhere the value is. */
  private tooLong(): void {
    if (this.recStart >= 0) {
      this.pos = this.recStart + this.maxRecordSize + 1;
      this.checkSize();
    }
    throw new InputError(`a value longer than ${Math.round(this.maxRecordSize / (1 << 20))} MB`, { file: this.file, line: this.tokLine, col: this.tokCol }, 'is the file cut short? a value must stay under that size');
  }

  private take(chunk: string, from: number, to: number): void {
    if (to <= from) return;
    const s = chunk.slice(from, to);
    this.parts.push(s);
    this.raw.push(s);
    this.tokLen += to - from;
  }

  /** One escape: `esc` is 1 after the backslash, 2..5 inside a `\u` escape of four hex digits (kept in raw). */
  private escape(chunk: string, i: number): number {
    const ch = chunk[i]!;
    this.pos = this.base + i;
    this.raw.push(ch);
    this.tokLen++;
    if (this.esc === 1) {
      const simple = SIMPLE_ESCAPES[ch];
      if (simple !== undefined) {
        this.parts.push(simple);
        this.esc = 0;
      } else if (ch === 'u') this.esc = 2;
      else this.fail(`invalid escape '\\${ch}' in a string`);
      return i + 1;
    }
    if (!/[0-9a-fA-F]/.test(ch)) this.fail('invalid \\u escape in a string');
    this.hex += ch;
    if (this.esc === 5) {
      this.parts.push(String.fromCharCode(parseInt(this.hex, 16)));
      this.hex = '';
      this.esc = 0;
    } else this.esc++;
    return i + 1;
  }

  private endScalar(): void {
    const kind = this.tok;
    this.tok = 'none';
    const text = this.parts.join('');
    if (kind === 'num') {
      if (!NUMBER.test(text)) this.fail(`invalid number '${text.slice(0, 40)}'`, this.tokLine, this.tokCol);
      this.scalar('num', text, text);
    } else {
      if (text !== 'true' && text !== 'false' && text !== 'null') this.fail(`unexpected '${text.slice(0, 40)}'`, this.tokLine, this.tokCol);
      this.scalar('lit', text === 'null' ? '' : text, text);
    }
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** Where a value may come: checks the grammar, and returns the role the value takes from its parent. */
  private valueRole(isObject: boolean, isArray: boolean): Role {
    const f = this.top();
    if (!f) {
      if (this.shape === 'json') {
        if (this.topDone) this.fail('more than one JSON value (is this NDJSON? name it .ndjson)');
        if (!isObject && !isArray) throw new InputError('JSON is neither an array nor an object', { file: this.file }, 'give an array of objects');
        return isArray ? 'records' : 'top';
      }
      if (!isObject) throw new InputError('NDJSON line is not an object', { file: this.file, line: this.line }, 'every line of an NDJSON file must be one JSON object');
      return 'record';
    }
    if (f.expect !== 'value') this.fail(f.expect === 'key' ? 'expected a key in quotes' : f.expect === 'colon' ? "expected ':'" : `expected ',' or '${f.kind === 'obj' ? '}' : ']'}'`);
    f.expect = 'next';
    f.first = false;
    switch (f.role) {
      case 'top':
        return isArray ? 'records' : 'skip';
      case 'records':
        if (isObject) return 'record';
        this.records++;
        if (f.member === '') throw new InputError(`record ${this.records} is not an object`, { file: this.file, line: this.line }, 'every element of the array must be an object');
        this.sink.notRecord?.(f.member);
        return 'skip';
      case 'record':
        this.pendingPath = f.prefix + f.key;
        return isObject ? 'record' : isArray ? 'text' : 'record';
      default:
        return f.role;
    }
  }

  private open(kind: 'obj' | 'arr'): void {
    if (this.stack.length >= MAX_DEPTH) throw new InputError(`JSON nested deeper than ${MAX_DEPTH} levels`, { file: this.file, line: this.line, col: this.pos - this.lineStart + 1 }, 'is this an export of records? funnel reads arrays of (nested) objects');
    const parent = this.top();
    const role = this.valueRole(kind === 'obj', kind === 'arr');
    let prefix = '';
    if (role === 'record') {
      if (parent && parent.role === 'record') prefix = this.pendingPath + SEP;
      else {
        // A new record starts.
        this.records++;
        this.fields = [];
        this.recLine = this.line;
        this.recStart = this.pos;
      }
    }
    if (role === 'text') {
      if (this.textDepth === 0) {
        this.text = [];
      }
      this.textDepth++;
      this.text.push(kind === 'obj' ? '{' : '[');
    }
    const member = parent?.role === 'top' ? parent.key : '';
    if (!parent) this.topKind ??= kind;
    this.stack.push({ kind, role, expect: kind === 'obj' ? 'key' : 'value', first: true, key: '', rawKey: '', prefix, member });
  }

  private close(kind: 'obj' | 'arr'): void {
    const f = this.top();
    if (!f || f.kind !== kind) this.fail(`unexpected '${kind === 'obj' ? '}' : ']'}'`);
    const canClose = f.expect === 'next' || (f.first && (f.expect === 'key' || f.expect === 'value'));
    if (!canClose) this.fail(`unexpected '${kind === 'obj' ? '}' : ']'}'`);
    this.stack.pop();
    const parent = this.top();
    if (f.role === 'text') {
      this.text.push(kind === 'obj' ? '}' : ']');
      if (--this.textDepth === 0) this.fields.push([this.pendingPathOf(parent), this.text.join('')]);
    } else if (f.role === 'record' && (!parent || parent.role !== 'record')) {
      this.sink.record(this.fields, this.recLine, parent?.member ?? '');
      this.fields = [];
      this.recStart = -1;
    }
    if (!parent) this.topDone = true;
  }

  /** The path of the value just finished in a record frame. */
  private pendingPathOf(parent: Frame | undefined): PathKey {
    return parent && parent.role === 'record' ? parent.prefix + parent.key : this.pendingPath;
  }

  private scalar(kind: 'str' | 'num' | 'lit', value: string, raw: string): void {
    const f = this.top();
    if (f && f.kind === 'obj' && f.expect === 'key') {
      if (kind !== 'str') this.fail('expected a key in quotes', this.tokLine, this.tokCol);
      f.key = value;
      f.rawKey = raw;
      f.expect = 'colon';
      f.first = false;
      return;
    }
    const role = this.valueRole(false, false);
    if (role === 'text') this.text.push(kind === 'str' ? `"${raw}"` : raw);
    else if (role === 'record') this.fields.push([this.pendingPath, value]);
    if (!f) this.topDone = true;
  }

  private punct(c: number, ch: string): void {
    const f = this.top();
    switch (c) {
      case 123: // {
        return this.open('obj');
      case 91: // [
        return this.open('arr');
      case 125: // }
        return this.close('obj');
      case 93: // ]
        return this.close('arr');
      case 58: // :
        if (!f || f.kind !== 'obj' || f.expect !== 'colon') this.fail("unexpected ':'");
        f.expect = 'value';
        if (f.role === 'text') this.text.push(`"${f.rawKey}":`);
        return;
      case 44: // ,
        if (!f || f.expect !== 'next') this.fail("unexpected ','");
        f.expect = f.kind === 'obj' ? 'key' : 'value';
        if (f.role === 'text') this.text.push(',');
        return;
      case 34: // "
        this.startToken('str');
        return;
      default:
        if (c === 45 || (c >= 48 && c <= 57)) {
          this.startToken('num');
          this.parts.push(ch);
          this.tokLen = 1;
          return;
        }
        if (c >= 97 && c <= 122) {
          this.startToken('lit');
          this.parts.push(ch);
          this.tokLen = 1;
          return;
        }
        this.fail(`unexpected '${ch}'`);
    }
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function isNumChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69;
}

function isLitChar(c: number): boolean {
  return c >= 97 && c <= 122;
}
