import { describe, expect, it } from 'vitest';
import { SegmentBuckets } from '../src/aggregate/segments.js';

describe('segments', () => {
  it('keeps the largest values by name, folds the rest into (other), empty as (none), case and spaces folded', () => {
    const b = new SegmentBuckets(() => ({ n: 0 }));
    const values = ['Website', 'website ', 'Ads', 'Ads', 'Ads', '', '  ', 'Partner', 'Social'];
    for (const v of values) b.bucket(v).n++;
    b.bucket(undefined).n++;
    const got = b.collapse((into, from) => (into.n += from.n), 2);
    expect(got.map((s) => [s.segment, s.size, s.data.n])).toEqual([
      ['Ads', 3, 3],
      ['Website', 2, 2],
      ['(other)', 2, 2],
      ['(none)', 3, 3],
    ]);
  });

  it('has no (other) when every value fits', () => {
    const b = new SegmentBuckets(() => ({ n: 0 }));
    for (const v of ['a', 'b', 'b']) b.bucket(v).n++;
    expect(b.collapse((into, from) => (into.n += from.n)).map((s) => s.segment)).toEqual(['b', 'a']);
  });
});
