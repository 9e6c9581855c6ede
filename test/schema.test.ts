import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import { ROOT, tempDir } from './helpers.js';
import { runMain } from './terminal.js';
import { loadRulesText } from '../src/rules/load.js';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, strictTuples: false });
const schemaOf = async (args: string[]): Promise<Record<string, unknown>> => {
  const r = await runMain(['schema', ...args], { cwd: tempDir() });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

// Every key and operator of the rules language, once.
const ALL = `
version: "1"
contacts: { key: Email, normalize: exact, created: Created }
activities: { key: Email, type: Type, time: Date, date_order: dmy, timezone: Europe/Paris, types: { email_open: Open, call: [Call, Phone] } }
fields: { industry: Industry, size: Employees }
scoring:
  half_life: 2W
  points: { email_open: 1.5, call: 20 }
  fit: [ { when: { field: industry, in: [Software, 42, true] }, points: 10 } ]
persona: { not: { fit: { lt: 10, not_equals: 3 } } }
consent: { when: { any: [ { field: Optin, equals: yes }, { field: Optin, present: true } ] }, action: no email }
disqualify:
  - { id: rival, when: { field: Email, domain_in: rival.example }, action: drop, content: none }
stages:
  - { id: suspect, label: Suspect, content: discovery, action: observe, needs_consent: false }
  - id: lead
    sla: { within: 14d, action: escalate }
    when:
      all:
        - { activity: [email_open, call], within: 90d, since: 2026-01-01, count: { gte: 1, lte: 9 } }
        - { activity: call, count: 2 }
        - { field: size, gte: 10, lte: 500 }
        - { field: Created, after: 2025-01-01, before: 2027-01-01, within: 1y }
        - { field: Created, gt: 2025-01-01 }
        - { field: industry, not_in: [Retail], contains: soft, matches: "^s", not_equals: x }
        - { score: { gte: 1, gt: 0, lte: 100, lt: 101, equals: 5 } }
        - { consent: true }
        - { persona: false }
  - { id: customer, when: { stage: lead } }
allow_regression: true
`;

const INVALID = join(ROOT, 'fixtures', 'rules-invalid');
// Faults the schema can see: a key, a type, a value out of its enumeration or pattern, the first stage's when.
const STRUCTURAL = ['bad-duration.yaml', 'bad-timezone.yaml', 'empty.yaml', 'first-stage-when.yaml', 'unknown-condition.yaml', 'unknown-operator.yaml', 'unknown-top-key.yaml', 'wrong-type.yaml', 'wrong-values.yaml'];
// Faults that need the whole file or the engine: funnel validate tells them.
const SEMANTIC = ['bad-regex.yaml', 'cycle.yaml', 'duplicate-stage.yaml', 'duplicate-yaml-key.yaml', 'persona-self.yaml', 'points-unknown-signal.yaml', 'unknown-stage-ref.yaml', 'yaml-syntax.yaml'];

describe('funnel schema', () => {
  it('is a valid draft 2020-12 schema that accepts the example rules and every fixture rules file', async () => {
    const schema = await schemaOf([]);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const validate = ajv.compile(schema);
    // Every rules file of the fixtures (a YAML file with stages:), wherever it is, but the invalid ones.
    const fixtures = (readdirSync(join(ROOT, 'fixtures'), { recursive: true }) as string[])
      .filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('rules-invalid'))
      .map((f) => join(ROOT, 'fixtures', f))
      .filter((f) => /^stages:/m.test(readFileSync(f, 'utf8')));
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
    const files = [join(ROOT, 'rules.example.yaml'), ...fixtures];
    for (const f of files) {
      expect(loadRulesText(readFileSync(f, 'utf8'), f).rules, f).toBeDefined();
      const ok = validate(parse(readFileSync(f, 'utf8')));
      expect(validate.errors ?? [], f).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('accepts every key and operator the loader accepts', async () => {
    const validate = ajv.compile(await schemaOf([]));
    expect(loadRulesText(ALL, 'all.yaml').problems).toEqual([]);
    expect(validate(parse(ALL)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('never rejects what the loader accepts, and rejects what it rejects for a key or a type (every mutation of every key)', async () => {
    const validate = ajv.compile(await schemaOf([]));
    const example = parse(ALL) as unknown;
    type Json = unknown;
    const clone = (x: Json): Json => structuredClone(x);
    // Every place of the example: a key of a mapping, or an item of a list.
    const places: (string | number)[][] = [];
    const walk = (x: Json, path: (string | number)[]): void => {
      if (Array.isArray(x)) x.forEach((v, i) => (places.push([...path, i]), walk(v, [...path, i])));
      else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) (places.push([...path, k]), walk(v, [...path, k]));
    };
    walk(example, []);
    const at = (root: Json, path: (string | number)[]): Record<string | number, Json> => path.reduce((o: Json, k) => (o as Record<string | number, Json>)[k], root) as Record<string | number, Json>;
    const mutants: Json[] = [];
    // Each place gets one wrong value, the kinds taking turns (loading rules costs milliseconds: kept quick).
    const values: Json[] = [12345, 'text', ['a', 'b'], { a: 1 }, true];
    places.forEach((path, n) => {
      const last = path.at(-1)!;
      const parentPath = path.slice(0, -1);
      const m = clone(example);
      at(m, parentPath)[last] = values[n % values.length];
      mutants.push(m);
      if (typeof last === 'string') {
        const m = clone(example);
        const parent = at(m, parentPath);
        parent[`${last}x`] = parent[last];
        delete parent[last];
        mutants.push(m);
      }
    });
    expect(mutants.length).toBeGreaterThan(150);
    let structural = 0;
    for (const m of mutants) {
      const loaded = loadRulesText(stringify(m), 'm.yaml');
      const ok = validate(m);
      if (loaded.rules) expect(ok, `${stringify(m)}\n${JSON.stringify(validate.errors)}`).toBe(true);
      const errors = loaded.problems.filter((p) => p.severity === 'error');
      if (errors.length && errors.every((p) => /^unknown (key|condition)|must be (a |text|true|a mapping|a number|a single|a list|a non-empty)|needs a number/.test(p.message))) {
        structural++;
        expect(ok, errors.map((p) => p.message).join('; ')).toBe(false);
      }
    }
    expect(structural).toBeGreaterThan(40);
  });

  it('rejects each invalid fixture whose fault is structural, as the loader does', async () => {
    const validate = ajv.compile(await schemaOf([]));
    expect([...STRUCTURAL, ...SEMANTIC].sort()).toEqual(readdirSync(INVALID).sort());
    for (const f of STRUCTURAL) {
      const text = readFileSync(join(INVALID, f), 'utf8');
      expect(loadRulesText(text, f).rules, f).toBeUndefined();
      expect(validate(parse(text) ?? null), f).toBe(false);
    }
  });

  it('describes keys, operators and durations for the editor', async () => {
    const schema = (await schemaOf([])) as { properties: Record<string, { description?: string }>; $defs: { condition: { anyOf: { properties: Record<string, { description?: string; pattern?: string }> }[] } } };
    expect(schema.properties.stages!.description).toContain('least to most mature');
    const activity = schema.$defs.condition.anyOf.find((a) => 'activity' in a.properties)!;
    expect(activity.properties.within!.pattern).toBeDefined();
    const re = new RegExp(activity.properties.within!.pattern!);
    expect(['90d', '12h', '2w', '6mo', '1Y', '1.5 d'].every((d) => re.test(d))).toBe(true);
    expect(['90 days', '90', 'd'].some((d) => re.test(d))).toBe(false);
    const field = schema.$defs.condition.anyOf.find((a) => 'field' in a.properties)!;
    expect(Object.keys(field.properties).sort()).toEqual(['after', 'before', 'contains', 'domain_in', 'equals', 'field', 'gt', 'gte', 'in', 'lt', 'lte', 'matches', 'not_equals', 'not_in', 'present', 'within']);
  });

  it('the cases file format: the example cases and the test cases are valid, typos are not', async () => {
    const validate = ajv.compile(await schemaOf(['--cases']));
    const example = parse(readFileSync(join(ROOT, 'funnel.test.example.yaml'), 'utf8')) as { cases: Record<string, unknown>[] };
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ cases: [{ name: 'x', contact: { Email: 'a@b' }, activities: [{ type: 'Email Open', time: '2026-10-01' }], expect: { stage: 'lead', score: 2, reason_contains: ['a', 'b'] } }] })).toBe(true);
    expect(validate({ cases: [{ name: 'x', expect: { sla: 'overdue', became_lead: '2026-10-01', became_sql: 'never' } }] }), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ cases: [{ name: 'x', expect: { sla: 'late' } }] })).toBe(false);
    // An empty value (`Email opt-in:`) is an empty field, as the loader reads it.
    expect(validate(parse('cases:\n  - contact: { Email: a@b, Email opt-in: }\n    expect: { content: }\n'))).toBe(true);
    expect(validate({ cases: [{ name: 'x', expect: { stag: 'lead' } }] })).toBe(false);
    expect(validate({ cases: [{ name: 'x', expect: { contactable: 'maybe' } }] })).toBe(false);
    expect(validate({ cases: [{ name: 'x', activities: [{ time: '2026-01-01' }], expect: { stage: 'lead' } }] })).toBe(false);
    expect(validate({ case: [] })).toBe(false);
  });

  it('funnel init writes both schemas and names them on the first line of the files it writes', async () => {
    const dir = tempDir();
    expect((await runMain(['init', join(dir, 'funnel.yaml')], { cwd: dir })).code).toBe(0);
    const rules = readFileSync(join(dir, 'funnel.yaml'), 'utf8');
    expect(rules.split('\n')[0]).toBe('# yaml-language-server: $schema=./funnel.schema.json');
    expect(rules.slice(rules.indexOf('\n') + 1)).toBe(readFileSync(join(ROOT, 'rules.example.yaml'), 'utf8'));
    expect(readFileSync(join(dir, 'funnel.test.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./funnel.test.schema.json');
    expect(JSON.parse(readFileSync(join(dir, 'funnel.schema.json'), 'utf8'))).toEqual(await schemaOf([]));
    expect(JSON.parse(readFileSync(join(dir, 'funnel.test.schema.json'), 'utf8'))).toEqual(await schemaOf(['--cases']));
  });
});
