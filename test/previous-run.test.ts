/** The previous run per key, as `classify --previous` and `diff` both read it, and diff's movement matrix. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { inputRef } from '../src/input/bytes.js';
import { openTable } from '../src/input/table.js';
import { readPreviousRun, type PreviousReading } from '../src/aggregate/previous-run.js';
import { StageMovements } from '../src/output/diff-result.js';
import { tempDir, writeFiles } from './helpers.js';

const CSV = [
  'Email,funnel_stage,funnel_stage_since',
  'A@x.com , lead ,2026-01-01',
  ',lead,',
  'a@x.com,customer,2026-02-01',
  'b@x.com,,',
  'b@x.com,mql,2026-03-01',
  'c@x.com,=HYPERLINK(1),',
  'c@x.com,lead,2026-04-01',
].join('\n');

async function read(how: PreviousReading) {
  const dir = tempDir();
  writeFiles(dir, { 'p.csv': `${CSV}\n` });
  const table = await openTable(inputRef(join(dir, 'p.csv'), dir), { warn: () => {} });
  return readPreviousRun(table, { key: 0, stage: 1, since: 2 }, how);
}

describe('readPreviousRun', () => {
  it('keeps the first row of each key, counting rows without a key and repeated keys (diff)', async () => {
    const run = await read({ normalize: 'email' });
    expect(run.rows).toBe(7);
    expect(run.emptyKeys).toBe(1);
    expect(run.duplicates).toBe(3);
    expect([...run.keys()]).toEqual(['a@x.com', 'b@x.com', 'c@x.com']);
    expect(run.get('a@x.com')).toEqual({ stage: 'lead', since: '2026-01-01', index: -1 });
    expect(run.get('b@x.com')?.stage).toBe('');
  });

  it('with a stage filter (classify --previous), a refused row leaves its key to a later row; the floor is the stage index', async () => {
    const stageIndex = new Map([
      ['lead', 1],
      ['mql', 2],
    ]);
    const run = await read({ normalize: 'email', stageIndex, accept: (s) => stageIndex.has(s) || s === 'customer' });
    expect(run.size).toBe(3);
    expect(run.get('a@x.com')).toEqual({ stage: 'lead', since: '2026-01-01', index: 1 });
    expect(run.get('b@x.com')).toEqual({ stage: 'mql', since: '2026-03-01', index: 2 });
    expect(run.get('c@x.com')).toEqual({ stage: 'lead', since: '2026-04-01', index: 1 });
  });

  it('keeps keys as written under normalize: exact', async () => {
    const run = await read({ normalize: 'exact' });
    expect(run.get('a@x.com')?.stage).toBe('customer');
    expect(run.get('A@x.com ')?.stage).toBe('lead');
    expect(run.get('A@x.com')).toBeUndefined();
  });
});

describe('StageMovements', () => {
  it('counts moves, and orders the stages as the rules do, others after in the order met', () => {
    const m = new StageMovements();
    m.see('mql');
    expect(m.move('lead', 'mql')).toBe(true);
    expect(m.move('mql', 'mql')).toBe(false);
    m.see('weird');
    expect(m.move('lead', 'weird')).toBe(true);
    expect(m.matrix).toEqual({ lead: { mql: 1, weird: 1 }, mql: { mql: 1 } });
    expect([m.changed, m.unchanged]).toEqual([2, 1]);
    expect(m.ordered(undefined)).toEqual(['mql', 'lead', 'weird']);
    expect(m.ordered(['lead', 'mql', 'customer'])).toEqual(['lead', 'mql', 'weird']);
  });
});
