/**
 * The options of every command that reads exports (--encoding, --delimiter, --no-header, --skip-lines,
 * --threads), declared once and checked once, alike: a bad value is a usage error (exit 2) in validate and
 * explain as in classify, whatif and history. Each command says which of them it offers, with its help line.
 */
import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import { parseDelimiterOption } from '../input/sniff.js';
import { checkEncoding } from '../input/decode.js';

/** The reading options as commander gives them. */
export interface ReadFlags {
  encoding?: string;
  delimiter?: string;
  /** false with --no-header. */
  header?: boolean;
  skipLines?: number;
  threads?: string;
  minRangeBytes?: string;
  parser?: 'fast' | 'csv-parse';
}

/** The reading options as the commands take them, checked. */
export interface Reading {
  encoding?: string;
  /** As the readers take it; undefined: sniffed. */
  delimiter?: string;
  noHeader: boolean;
  skipLines?: number;
  threads: number;
  minRangeBytes?: number;
  parser?: 'fast' | 'csv-parse';
}

/** The help line of each reading option a command offers; one without a line is not offered. */
export interface ReadHelp {
  encoding: string;
  delimiter: string;
  header?: string;
  skipLines?: string;
  /** --threads, and the hidden --min-range-bytes with it. */
  threads?: string;
  /** The hidden --parser (csv-parse alone: the byte tokenizer's oracle, for tests). */
  parser?: true;
}

/** The help lines of classify, which offers them all. */
export const READ_HELP = {
  encoding: 'input encoding (WHATWG label, e.g. windows-1252); default: detected',
  delimiter: 'input CSV delimiter (, ; tab |); default: sniffed',
  header: 'CSV inputs have no header row; columns are named 1..N',
  skipLines: 'title lines before the CSV header, skipped',
} as const;

export const DEFAULT_MAX_THREADS = 4;

function parseSkipLines(v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`--skip-lines must be a whole number ≥ 0, not '${v}'`);
  return Number(v);
}

/** Declares the reading options `help` names, in the order every command's help lists them. */
export function readOptions(cmd: Command, help: ReadHelp): Command {
  if (help.threads !== undefined) cmd.option('--threads <n>', help.threads);
  cmd.option('--encoding <label>', help.encoding).option('--delimiter <char>', help.delimiter);
  if (help.header !== undefined) cmd.option('--no-header', help.header);
  if (help.skipLines !== undefined) cmd.option('--skip-lines <n>', help.skipLines, parseSkipLines);
  // For tests: cut small files into ranges too; read every CSV with csv-parse, the byte tokenizer's oracle.
  if (help.threads !== undefined) cmd.addOption(new Option('--min-range-bytes <n>').hideHelp());
  if (help.parser) cmd.addOption(new Option('--parser <parser>').choices(['fast', 'csv-parse']).hideHelp());
  return cmd;
}

function wholeNumber(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`${name} must be a whole number ≥ 1, not '${v}'`);
  return Number(v);
}

/** Checks the reading options once, for every command alike. */
export function reading(o: ReadFlags): Reading {
  const delimiter = o.delimiter === undefined ? undefined : parseDelimiterOption(o.delimiter);
  if (o.delimiter !== undefined && delimiter === undefined) throw new UsageError(`invalid --delimiter '${o.delimiter}'`, {}, 'give one character, or tab');
  if (o.encoding !== undefined) checkEncoding(o.encoding);
  // The cores, up to 4: each thread past the first holds the keys of its range (50–140 MB per million
  // contacts), and past 4 the classify pass, on one thread, is most of the run anyway.
  const threads = wholeNumber(o.threads, '--threads') ?? Math.min(availableParallelism(), DEFAULT_MAX_THREADS);
  const minRangeBytes = wholeNumber(o.minRangeBytes, '--min-range-bytes');
  return { encoding: o.encoding, delimiter, noHeader: o.header === false, skipLines: o.skipLines, threads, minRangeBytes, parser: o.parser };
}
