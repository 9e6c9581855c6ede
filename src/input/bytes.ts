/**
 * Where raw bytes come from: a file, standard input, or either of them gzipped.
 * Gzip is recognised by its magic bytes, not by the name, so `curl … | funnel classify -` works too.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { InputError } from '../errors.js';

/** An input named on the command line; `-` is standard input. */
export interface InputRef {
  path: string;
  /** What messages call it: the path, or `<stdin>`. */
  name: string;
  /** Told the size of each chunk read from the file (before decompression), for progress. */
  onBytes?: (n: number) => void;
}

/** `path` is read from `cwd` (the run's folder, which need not be the process's) and named as given. */
export function inputRef(path: string, cwd: string): InputRef {
  return path === '-' ? { path, name: '<stdin>' } : { path: resolve(cwd, path), name: path };
}

export interface ByteOptions {
  stdin?: Readable;
}

async function* rawChunks(ref: InputRef, opts: ByteOptions): AsyncGenerator<Buffer> {
  let stream: Readable;
  if (ref.path === '-') {
    if (!opts.stdin) throw new InputError('standard input is not available', { file: ref.name });
    stream = opts.stdin;
  } else {
    try {
      const st = await fsp.stat(ref.path);
      if (st.isDirectory()) throw new InputError('is a directory, not a file', { file: ref.name }, 'name an export file');
    } catch (e) {
      if (e instanceof InputError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot open (${code ?? 'unknown error'})`, { file: ref.name }, 'check the path');
    }
    stream = createReadStream(ref.path, { highWaterMark: 1 << 20 });
  }
  try {
    for await (const chunk of stream) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      ref.onBytes?.(b.length);
      yield b;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read (${code ?? (e as Error).message})`, { file: ref.name });
  }
}

/** The decompressed bytes of an input, in chunks. */
export async function* readBytes(ref: InputRef, opts: ByteOptions = {}): AsyncGenerator<Buffer> {
  const it = rawChunks(ref, opts)[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.length < 2) {
    const more = await it.next();
    if (more.done) break;
    first = { done: false, value: Buffer.concat([first.value, more.value]) };
  }
  if (first.done) return;
  const head = first.value;
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  };
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    const src = Readable.from(rest());
    src.on('error', (e) => gunzip.destroy(e));
    src.pipe(gunzip);
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`corrupt gzip data (${(e as Error).message})`, { file: ref.name }, 'check that the download finished');
    }
  } else {
    yield* rest();
  }
}
