/** The outputs of a run: standard output, a file (a temporary file until the commit, or a device), a folder. */
import { closeSync, write as fsWrite, fsync as fsFsync } from 'node:fs';
import { promisify } from 'node:util';
import type { Writable } from 'node:stream';
import { writeChunk } from './atomic.js';
import type { ManifestEntry } from './manifest.js';
import { writeError } from './write-errors.js';

const writeP = promisify(fsWrite);
const fsyncP = promisify(fsFsync);

export interface Output {
  /** As given on the command line. */
  readonly path: string;
  write(chunk: Buffer | string): Promise<void>;
  /**
   * `write` resolves only once the chunk's bytes are written out (not queued in a stream): its caller may then
   * fill the same buffer again.
   */
  readonly doneWithChunks?: boolean;
}

export class StdoutOutput implements Output {
  readonly path = '-';
  constructor(private readonly stream: Writable) {}
  write(chunk: Buffer | string): Promise<void> {
    return writeChunk(this.stream, chunk);
  }
}

/** An output file: a temporary file renamed over `dir/name` at the commit, or a device written in place. */
export class FileOutput implements Output {
  readonly doneWithChunks = true;
  fd = -1;
  tmp: string | undefined;
  dir = '';
  name = '';

  constructor(
    readonly path: string,
    readonly abs: string,
    readonly role: string,
  ) {}

  async write(chunk: Buffer | string): Promise<void> {
    if (this.fd < 0) throw new Error(`${this.path}: written before OutputRun.open()`);
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    try {
      for (let off = 0; off < buf.length; ) off += (await writeP(this.fd, buf, off, buf.length - off)).bytesWritten;
    } catch (e) {
      throw writeError(this.path, e);
    }
  }

  async finish(): Promise<void> {
    try {
      await fsyncP(this.fd).catch((e: NodeJS.ErrnoException) => {
        // Terminals and pipes cannot be synced.
        if (this.tmp || (e.code !== 'EINVAL' && e.code !== 'ENOTSUP' && e.code !== 'EROFS')) throw e;
      });
      closeSync(this.fd);
      this.fd = -1;
    } catch (e) {
      throw writeError(this.path, e);
    }
  }
}

/** An `--out-dir` folder: its files, its lock, its manifest. */
export class OutputFolder {
  real = '';
  previous: ManifestEntry[] = [];
  readonly written = new Map<string, FileOutput>();

  constructor(
    readonly path: string,
    readonly abs: string,
    readonly role: string,
    readonly names: readonly string[],
    private readonly open: (folder: OutputFolder, name: string) => Output,
  ) {}

  /** The output for `name` in the folder; its temporary file is created on first use (by its OutputRun). */
  file(name: string): Output {
    return this.open(this, name);
  }
}
