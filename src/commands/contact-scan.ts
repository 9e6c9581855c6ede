/**
 * The first pass over the contacts (their keys), begun once: alongside the fold when threads fold the last
 * activities file's other ranges — this thread would only wait for them — else right after the fold. Either way
 * the run says the same things in the same order: the scan's warnings are held until the step where one thread
 * says them, and an error of the scan is thrown there, after the fold's own.
 */
import { statSync } from 'node:fs';
import { readableTwice } from '../input/read-twice.js';
import type { ReadOptions } from '../input/table.js';
import type { ScanOptions } from '../input/contacts.js';
import type { Rules } from '../rules/model.js';
import type { Aggregates } from '../aggregate/store.js';
import { scanContactKeys, type ContactKeys } from '../aggregate/contact-keys.js';
import type { PhaseMeter } from '../util/progress.js';

export interface ContactScanInputs {
  contacts: readonly string[];
  cwd: string;
  /** Standard input copied to a scratch file (contacts given as `-`), its path. */
  copyStdin: () => Promise<string>;
  read: ReadOptions;
  rules: Rules;
  aggs: Aggregates;
  meter: PhaseMeter;
  sizeOf: (paths: readonly string[]) => number | undefined;
  /** Where the second pass will cut a file for its threads (input/contacts.ts ScanOptions). */
  cutsOf?: ScanOptions['cutsOf'];
}

export class ContactScan {
  private started?: Promise<ContactKeys>;
  private readonly held: string[] = [];
  /** Begun alongside the fold: the fold's progress is then no longer shown. */
  early = false;

  constructor(private readonly o: ContactScanInputs) {}

  /** For the fold's `alongside`: the scan begun while the other threads fold. */
  alongside = (): Promise<ContactKeys> => {
    this.early = true;
    return this.begin();
  };

  /** The scan, begun now unless it was; its held warnings said (even when it failed). */
  async result(): Promise<ContactKeys> {
    try {
      return await this.begin();
    } finally {
      for (const m of this.held.splice(0)) this.o.read.warn(m);
    }
  }

  private begin(): Promise<ContactKeys> {
    this.started ??= this.run();
    return this.started;
  }

  private async run(): Promise<ContactKeys> {
    const { meter } = this.o;
    const refs = await readableTwice(this.o.contacts, this.o.cwd, this.o.copyStdin);
    const counted = meter.active ? refs.map((r) => ({ ...r, onBytes: meter.bytes })) : refs;
    let scanned = 0;
    meter.start('scanning contacts', this.o.sizeOf(refs.map((r) => r.path)));
    const read = { ...this.o.read, warn: (m: string) => void this.held.push(m) };
    return scanContactKeys(counted, read, this.o.rules, this.o.aggs, { onRow: () => meter.setRows(++scanned), cutsOf: this.o.cutsOf, slots: true });
  }
}

/** The bytes of the files at these paths (progress, the work alongside); undefined when one is standard input or unreadable. */
export function sizeOf(paths: readonly string[]): number | undefined {
  let total = 0;
  for (const p of paths) {
    if (p === '-') return undefined;
    try {
      total += statSync(p).size;
    } catch {
      return undefined;
    }
  }
  return total;
}
