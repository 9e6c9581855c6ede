/**
 * `--skip-lines N`: title lines before a CSV header ("Report: contacts", "Exported 2026-11-15"). Their content is
 * dropped but their line breaks are kept — blank lines are not rows — so that every line number still counts
 * from the top of the file, as messages and `--threads` byte offsets need.
 */
import { InputError } from '../errors.js';
import type { Detected } from './decode.js';

function tooLong(n: number, file: string): InputError {
  return new InputError(`--skip-lines ${n}: the first ${n} lines are longer than a megabyte`, { file }, 'is that the right number of title lines?');
}

/** On the bytes of an ASCII-compatible encoding (UTF-8, windows-1252…): the head with the lines blanked. */
export function skipHeadLines(d: Detected, n: number, file: string): Detected {
  let cut = 0;
  let lines = 0;
  while (lines < n) {
    const lf = d.head.indexOf(0x0a, cut);
    if (lf === -1) {
      if (!d.ended) throw tooLong(n, file);
      cut = d.head.length;
      break;
    }
    cut = lf + 1;
    lines++;
  }
  const head = Buffer.concat([Buffer.alloc(lines, 0x0a), d.head.subarray(cut)]);
  return { ...d, head, skipped: d.skipped + cut - lines };
}

/** On text (UTF-16, decoded): the first lines blanked. */
export async function* skipTextLines(text: AsyncIterable<string>, n: number, file: string): AsyncGenerator<string> {
  let left = n;
  let pending = '';
  for await (const chunk of text) {
    if (left === 0) {
      yield chunk;
      continue;
    }
    pending += chunk;
    let out = '';
    let at = 0;
    while (left > 0) {
      const lf = pending.indexOf('\n', at);
      if (lf === -1) break;
      out += '\n';
      at = lf + 1;
      left--;
    }
    pending = pending.slice(at);
    if (left === 0) {
      yield out + pending;
      pending = '';
    } else {
      if (pending.length > 1 << 20) throw tooLong(n, file);
      if (out) yield out;
    }
  }
}

export function isUtf16(encoding: string): boolean {
  return encoding.startsWith('utf-16');
}
