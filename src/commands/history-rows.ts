/**
 * `history`'s second pass per contact row, on the main thread and on a thread of `--threads` alike: the values
 * the replay reads, the row's slot (taken from the first pass when its key bytes agree), its replay, and the
 * builder's counts. It imports nothing that reads files, so that a thread starts quickly.
 */
import { FieldTexts } from '../input/field-texts.js';
import type { Rec } from '../input/record.js';
import type { Rules } from '../rules/model.js';
import type { DateOrder } from '../values/dates.js';
import { BLANK_KEY, type Aggregates } from '../aggregate/store.js';
import type { Classifier } from '../classify/classifier.js';
import { createdAt } from '../classify/stage-dates.js';
import type { Replayer } from '../classify/timeline.js';
import type { HistoryBuilder } from '../output/history.js';
import { hintAt, type RowHints } from '../output/annotated-rows.js';

export interface HistoryRowsOptions {
  rules: Rules;
  classifier: Classifier;
  replayer: Replayer;
  builder: HistoryBuilder;
  aggs: Aggregates;
  /** The file's header (the values' width), its key column, its `contacts.created` and `--by` columns (-1: none). */
  headers: readonly string[];
  keyColumn: number;
  created: number;
  by: number;
  dateOrder?: DateOrder;
  hints?: RowHints;
}

export class HistoryRows {
  /** Rows visited. */
  rows = 0;
  private readonly values: string[];
  /** Only the values the replay reads: the rules' columns, the creation date's and --by's (the rest stay empty). */
  private readonly needed: number[];
  private readonly texts = new FieldTexts();
  private readonly warnings: string[] = [];

  constructor(private readonly o: HistoryRowsOptions) {
    this.values = new Array<string>(o.headers.length).fill('');
    this.needed = [...new Set([...o.classifier.columns, ...(o.created >= 0 ? [o.created] : []), ...(o.by >= 0 ? [o.by] : [])])];
  }

  visit = (row: Rec): void => {
    const { o, values } = this;
    for (const i of this.needed) values[i] = this.texts.field(row, i);
    let slot = o.aggs.hintedSlot(row, o.keyColumn, o.rules.contacts.normalize, hintAt(o.hints, this.rows++));
    if (slot === BLANK_KEY) slot = -1;
    this.warnings.length = 0;
    const tl = o.replayer.run(values, slot, createdAt(values, o.created, o.rules.contacts.created, o.rules.activities.timezone, o.dateOrder, this.warnings));
    o.builder.add(tl, o.by >= 0 ? values[o.by] : undefined);
  };
}
