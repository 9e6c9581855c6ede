/** The time (and peak memory) of each phase of a run, for the summary's `phases`. */
export interface PhaseTime {
  phase: string;
  ms: number;
  peak_rss_mb?: number;
}

export class PhaseClock {
  readonly phases: PhaseTime[] = [];
  private readonly started: number;
  private last: number;

  constructor(
    private readonly now: () => number,
    private readonly peakRssMb?: () => number,
  ) {
    this.started = now();
    this.last = this.started;
  }

  /** The phase `name` ends now. */
  phase(name: string): void {
    const t = this.now();
    this.phases.push({ phase: name, ms: t - this.last, ...(this.peakRssMb ? { peak_rss_mb: this.peakRssMb() } : {}) });
    this.last = t;
  }

  /** Milliseconds since the run started. */
  elapsed(): number {
    return this.now() - this.started;
  }
}
