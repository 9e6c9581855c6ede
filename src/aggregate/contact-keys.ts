/**
 * The first pass over the contacts, as `classify`, `history` and `explain` need it: every contact key takes a
 * slot in the aggregates (one table of keys instead of two) and counts its rows there, so that the first row of
 * a duplicate key is flagged too; and the order of slash dates is settled from the columns the rules compare as
 * dates, or refused as ambiguous.
 */
import { InputError } from '../errors.js';
import type { InputRef } from '../input/bytes.js';
import { scanContacts, type ContactScan, type ScanOptions } from '../input/contacts.js';
import type { ReadOptions, Rec } from '../input/table.js';
import type { Rules } from '../rules/model.js';
import { dateColumnsOf } from '../rules/walk.js';
import type { DateOrder } from '../values/dates.js';
import type { Aggregates } from './store.js';

export interface ContactKeys {
  scan: ContactScan;
  /**
   * Per contact row, files and rows in the order read: the slot its key took (BLANK_KEY for none), which the
   * second pass takes again without a lookup when the row's key bytes are that slot's key (AnnotatedRows).
   */
  slots?: Int32Array;
  /** The slash-date order of the run: the rules', else the one the contacts decided. */
  dateOrder?: DateOrder;
}

/** The columns the rules compare as dates, and the contacts' creation date. */
export function contactDateColumns(rules: Rules): string[] {
  return [...dateColumnsOf(rules), ...(rules.contacts.created ? [rules.contacts.created] : [])];
}

/** A growing list of slots, one per row. */
export class RowSlots {
  private a = new Int32Array(1 << 12);
  length = 0;

  push(slot: number): void {
    if (this.length === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = slot;
  }

  /** The slots, in an array of their own (the one grown may be twice as long). */
  array(): Int32Array {
    return this.a.slice(0, this.length);
  }
}

export interface ScanKeysOptions {
  /** Called after each row. */
  onRow?: () => void;
  /** Where the second pass will cut a file for its threads (scanContacts). */
  cutsOf?: ScanOptions['cutsOf'];
  /** Record each row's slot (ContactKeys.slots), for a second pass that classifies the rows. */
  slots?: boolean;
}

/** Slots for the contacts' keys in `aggs` (when given), each row's recorded. */
export async function scanContactKeys(refs: readonly InputRef[], read: Omit<ReadOptions, 'headers'>, rules: Rules, aggs?: Aggregates, o: ScanKeysOptions = {}): Promise<ContactKeys> {
  const normalize = rules.contacts.normalize;
  const slots = o.slots ? new RowSlots() : undefined;
  const onKey = aggs
    ? (row: Rec, col: number): void => {
        // The slot first: taking one may grow (replace) the arrays.
        const slot = aggs.slotOf(row, col, normalize, true);
        if (slot >= 0) aggs.contactRows[slot]!++;
        slots?.push(slot);
        o.onRow?.();
      }
    : undefined;
  const scan = await scanContacts(refs, { read, keyName: rules.contacts.key, normalize, dateColumns: contactDateColumns(rules), onKey, cutsOf: o.cutsOf });
  return { scan, dateOrder: runDateOrder(rules, scan), ...(slots ? { slots: slots.array() } : {}) };
}

/** The rules' slash-date order, else the one the scan decided; an error when dates were seen and none decided it. */
export function runDateOrder(rules: Rules, scan: ContactScan): DateOrder | undefined {
  const dateOrder = rules.activities.dateOrder === 'auto' ? scan.dateOrder : rules.activities.dateOrder;
  if (!dateOrder && scan.ambiguousDate) {
    const a = scan.ambiguousDate;
    throw new InputError(`cannot tell the order of slash dates such as '${a.text}': no date in these columns has a day above 12`, { file: a.file, line: a.line }, 'set activities.date_order: dmy or mdy in the rules');
  }
  return dateOrder;
}
