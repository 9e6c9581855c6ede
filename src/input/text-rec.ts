import type { Rec } from './record.js';

/**
 * A record whose fields are strings already — read by csv-parse, from JSON, or decoded from a legacy encoding —
 * so it has no bytes for the writer to copy. `width` is the fields the record really had (`values` may be padded).
 */
export class TextRec implements Rec {
  constructor(
    public values: string[] = [],
    public line = 0,
    public width = values.length,
    public lines = 1,
  ) {}
  field(i: number): string {
    return this.values[i] ?? '';
  }
  fieldBytes(): undefined {
    return undefined;
  }
  plainBytes(): undefined {
    return undefined;
  }
}
