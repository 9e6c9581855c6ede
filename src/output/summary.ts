/**
 * The funnel summary: counts per stage, share, reached (at that stage or a more mature one), conversion
 * from the previous stage, disqualification reasons and the health of the inputs. Plain data; rendering is
 * in summary-render.ts, so the JSON written for monitoring is exactly what the table shows.
 */
import type { Verdict } from '../classify/classifier.js';
import type { Stage } from '../rules/model.js';

export interface StageLine {
  id: string;
  label: string;
  count: number;
  /** count / all contacts, 0..1 */
  share: number;
  reached: number;
  /** reached / reached of the previous stage; null for the first stage or when the previous reached none. */
  conversion: number | null;
  /** Contacts at the stage past its SLA (SPEC §7); only for stages with an `sla`. */
  overdue?: number;
}

export interface Movement {
  from: string;
  to: string;
  count: number;
}

export interface SegmentLine {
  segment: string;
  total: number;
  stages: StageLine[];
}

export interface Summary {
  tool: { name: 'funnel'; version: string };
  as_of: string;
  rules: { source: string; sha256: string };
  inputs: {
    contacts: { file: string; rows: number }[];
    activities: { file: string; rows: number; without_key: number; without_type: number; undated: number; after_as_of: number; unmatched?: number }[];
  };
  output: { rows: number; format: string; files: string[] };
  total: number;
  stages: StageLine[];
  disqualified: { total: number; by_reason: Record<string, number> };
  not_contactable: number;
  rows_with_warnings: number;
  warnings_by_kind: Record<string, number>;
  unmatched_activity_rows: number;
  undated_activity_rows: number;
  movements?: { changed: number; new: number; moves: Movement[] };
  /** With `--by <field>`: the field, and the funnel of each of its values (SPEC §10). */
  by?: string;
  segments?: SegmentLine[];
  /**
   * Every file-level warning of the run, as printed on stderr (also under --quiet): a fallback encoding, a column
   * chosen by its values, keys that do not meet… At most 100, then one saying how many more.
   */
  warnings?: string[];
  duration_ms: number;
  /** Wall time and peak memory at the end of each phase of the run (classify only). */
  phases?: { phase: string; ms: number; peak_rss_mb?: number }[];
}

/** The kind of a row warning: its text up to the first colon or quote, e.g. `unparsable number in Employees`. */
export function warningKind(w: string): string {
  return w.replace(/:.*$/, '').replace(/ '.*$/, '').trim();
}

/** A SummaryBuilder's counts as plain data. */
export interface SummaryCounts {
  total: number;
  counts: readonly number[];
  overdues: readonly number[];
  disq: readonly [string, number][];
  notContactable: number;
  withWarnings: number;
  warningKinds: readonly [string, number][];
}

export class SummaryBuilder {
  private readonly counts: number[];
  private readonly overdues: number[];
  private readonly disq = new Map<string, number>();
  private total = 0;
  private notContactable = 0;
  private withWarnings = 0;
  private readonly warningKinds = new Map<string, number>();
  private readonly moves = new Map<string, number>();
  private newContacts = 0;
  private tracked = false;

  constructor(private readonly stages: readonly Stage[]) {
    this.counts = stages.map(() => 0);
    this.overdues = stages.map(() => 0);
  }

  /** A contact at stage i past that stage's SLA. */
  overdue(i: number): void {
    this.overdues[i]!++;
  }

  add(v: Pick<Verdict, 'stageIndex' | 'disqualifiedBy' | 'consent' | 'warnings'>): void {
    this.total++;
    if (v.stageIndex >= 0) this.counts[v.stageIndex]!++;
    else this.disq.set(v.disqualifiedBy ?? 'unknown', (this.disq.get(v.disqualifiedBy ?? 'unknown') ?? 0) + 1);
    if (!v.consent) this.notContactable++;
    if (v.warnings.length) {
      this.withWarnings++;
      for (const w of v.warnings) {
        const k = warningKind(w);
        this.warningKinds.set(k, (this.warningKinds.get(k) ?? 0) + 1);
      }
    }
  }

  /** With --previous: where the contact was and where it is now ('' previous = new contact). */
  move(previous: string | undefined, now: string): void {
    this.tracked = true;
    if (previous === undefined || previous === '') {
      this.newContacts++;
      return;
    }
    if (previous === now) return;
    const k = `${previous}\u0000${now}`;
    this.moves.set(k, (this.moves.get(k) ?? 0) + 1);
  }

  /** Adds another builder's counts (for `--by`: the segments past the largest folded into `(other)`). */
  merge(o: SummaryBuilder): void {
    this.mergeCounts(o.countsData());
  }

  /** The counts as plain data, to send from a thread that classified a range of the contacts. */
  countsData(): SummaryCounts {
    const { total, counts, overdues, notContactable, withWarnings } = this;
    return { total, counts, overdues, disq: [...this.disq], notContactable, withWarnings, warningKinds: [...this.warningKinds] };
  }

  /** Adds counts made elsewhere (`countsData`) — moves excepted, which only `--previous` makes. */
  mergeCounts(o: SummaryCounts): void {
    this.total += o.total;
    o.counts.forEach((n, i) => (this.counts[i]! += n));
    o.overdues.forEach((n, i) => (this.overdues[i]! += n));
    for (const [k, n] of o.disq) this.disq.set(k, (this.disq.get(k) ?? 0) + n);
    this.notContactable += o.notContactable;
    this.withWarnings += o.withWarnings;
    for (const [k, n] of o.warningKinds) this.warningKinds.set(k, (this.warningKinds.get(k) ?? 0) + n);
  }

  get contacts(): number {
    return this.total;
  }

  /** Contacts, share, reached and conversion per stage. */
  stageLines(): StageLine[] {
    const reached: number[] = [];
    let acc = 0;
    for (let i = this.stages.length - 1; i >= 0; i--) {
      acc += this.counts[i]!;
      reached[i] = acc;
    }
    return this.stages.map((s, i) => ({
      id: s.id,
      label: s.label,
      count: this.counts[i]!,
      share: this.total ? this.counts[i]! / this.total : 0,
      reached: reached[i]!,
      conversion: i === 0 || reached[i - 1] === 0 ? null : reached[i]! / reached[i - 1]!,
      ...(s.sla ? { overdue: this.overdues[i]! } : {}),
    }));
  }

  build(rest: Omit<Summary, 'total' | 'stages' | 'disqualified' | 'not_contactable' | 'rows_with_warnings' | 'warnings_by_kind' | 'movements'>): Summary {
    const stages = this.stageLines();
    const sortedObj = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
    const summary: Summary = {
      ...rest,
      total: this.total,
      stages,
      disqualified: { total: [...this.disq.values()].reduce((a, b) => a + b, 0), by_reason: sortedObj(this.disq) },
      not_contactable: this.notContactable,
      rows_with_warnings: this.withWarnings,
      warnings_by_kind: sortedObj(this.warningKinds),
    };
    if (this.tracked) {
      const moves = [...this.moves].map(([k, count]) => {
        const [from, to] = k.split('\u0000') as [string, string];
        return { from, to, count };
      });
      moves.sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
      summary.movements = { changed: moves.reduce((a, m) => a + m.count, 0), new: this.newContacts, moves };
    }
    return summary;
  }
}
