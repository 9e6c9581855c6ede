/** The file-level warnings of a run, for the summary JSON: each once, in order, at most `max`. */
export class WarningList {
  private readonly seen = new Set<string>();
  private dropped = 0;

  constructor(private readonly max = 100) {}

  add(message: string): void {
    if (this.seen.has(message)) return;
    if (this.seen.size >= this.max) this.dropped++;
    else this.seen.add(message);
  }

  list(): string[] {
    const all = [...this.seen];
    if (this.dropped) all.push(`… and ${this.dropped} more warning(s), printed on stderr`);
    return all;
  }
}
