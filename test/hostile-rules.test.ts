import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRulesText, MAX_CONDITIONS } from '../src/rules/load.js';
import { compileUserRegex } from '../src/rules/regex.js';
import { MATCHES_MAX_CHARS } from '../src/classify/fields.js';
import { main } from '../src/cli/cli.js';
import { classifyMem, tempDir } from './helpers.js';
import { memTerminal } from './terminal.js';

/** Hostile rules are contained: no pattern hangs, no alias explodes, no reference chain grows without bound. */

function regexOf(source: string): RegExp {
  const r = compileUserRegex(source);
  if (!('regex' in r)) throw new Error(r.problem);
  return r.regex;
}

function problemsOf(yaml: string): string[] {
  return loadRulesText(yaml, 'r.yaml').problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}${p.hint ? ` — ${p.hint}` : ''}`);
}

const stagesWith = (when: string): string => `stages:\n  - { id: s }\n  - id: t\n    when: ${when}\n`;

describe('matches: linear time, case folded into the pattern', () => {
  it('an exponential pattern on a hostile value ends at once', async () => {
    const started = Date.now();
    const verdicts = await classifyMem(stagesWith('{ field: Job Title, matches: "^(a+)+$" }'), [{ Email: 'a@x.com', 'Job Title': `${'a'.repeat(41)}b` }, { Email: 'b@x.com', 'Job Title': `${'A'.repeat(30_000)}!` }, { Email: 'c@x.com', 'Job Title': 'aAa' }], []);
    expect(verdicts.map((v) => v.stage)).toEqual(['s', 's', 't']);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ignores case as JavaScript’s i flag does', () => {
    expect(regexOf('^head of').test('HEAD OF SALES')).toBe(true);
    expect(regexOf('[a-c]x').test('BX')).toBe(true);
    expect(regexOf('[^a-c]x').test('Bx')).toBe(false);
    expect(regexOf('[^a-c-]x').test('-x')).toBe(false);
    expect(regexOf('µ').test('Μ')).toBe(true);
    expect(regexOf('\\x41').test('a')).toBe(true);
    expect(regexOf('\\bGMAIL\\b').test('x@gmail.com')).toBe(true);
  });

  it('matches what the i flag matches (property over small patterns)', () => {
    const atom = fc.constantFrom('a', 'B', 'k', 'é', 'É', 'ß', 'µ', 'Σ', 'ς', '[a-c]', '[^b]', '[A-Z0-9]', '[x-]', '\\w', '\\W', '\\d', '.', '\\u0041', '[\\u00e0-\\u00ff]', 'ǅ', '\\\\', '-', 'İ', 'ı', 'K');
    const quant = fc.constantFrom('', '', '*', '+', '?', '{1,3}');
    const pattern = fc.array(fc.tuple(atom, quant).map(([a, q]) => a + q), { minLength: 1, maxLength: 4 }).chain((parts) => fc.constantFrom(parts.join(''), `(${parts.join('|')})`, `^${parts.join('')}$`));
    const text = fc.array(fc.constantFrom('a', 'A', 'b', 'B', 'k', 'K', 'K', 'é', 'É', 'ß', 'SS', 'µ', 'Μ', 'μ', 'σ', 'Σ', 'ς', 'x', 'X', '-', '1', '\\', 'ǅ', 'ǆ', 'Ǆ', 'İ', 'i', 'I', 'ı', 'à', 'À', 'ÿ', 'Ÿ'), { maxLength: 6 }).map((a) => a.join(''));
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        expect(regexOf(p).test(t), `/${p}/ on '${t}'`).toBe(new RegExp(p, 'i').test(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('folds an ASCII pattern (its own small table) as the i flag does, on every code unit', () => {
    const units = Array.from({ length: 0x10000 }, (_, u) => String.fromCharCode(u));
    for (const p of ['k', 'S', 'i', '[a-z]', '[^a-z]', '[A-Z0-9_]', '[\\x00-\\x7f]', '\\x4b']) {
      const folded = regexOf(`^${p}$`);
      const native = new RegExp(`^${p}$`, 'i');
      const differ = units.filter((c) => folded.test(c) !== native.test(c));
      expect(differ, `/${p}/`).toEqual([]);
    }
  });

  it.each([
    ['(a)\\1', 'a backreference (\\1)'],
    ['^(?!test)', 'a lookaround ((?!…)'],
    ['(?<=@)acme', 'a lookaround ((?<=…)'],
    ['^.{1,100}$', 'a repeat count above 16 ({1,100})'],
    ['(x{1,4}){1,5}', 'counted repeats nested to more than 16 copies'],
  ])('refuses /%s/ in validate, at its line and column, saying why', (pattern, why) => {
    const problems = problemsOf(stagesWith(`{ field: Email, matches: '${pattern}' }`));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`r.yaml:4:36: matches /${pattern}/ uses ${why}`);
    expect(problems[0]).toContain('which cannot be matched in bounded time — ');
  });
});

/** A's anchors nest: each level lists the previous nine times (9⁹ conditions from a few hundred bytes). */
function aliasBomb(): string {
  const levels = 'abcdefghi'.split('');
  const lines = levels.map((l, i) => {
    const item = i === 0 ? '{ field: e, equals: x }' : `{ any: *${levels[i - 1]} }`;
    return `  ${l}: &${l} [${Array(9).fill(item).join(', ')}]`;
  });
  return `version: 1\nscoring:\n  fit:\n    - when: { all: [ { field: e, present: true } ] }\n      points: 1\nanchors_live_in_a_fit_rule:\n${lines.join('\n')}\nstages:\n  - { id: s }\n  - { id: t, when: { any: *i } }\n`;
}

describe('YAML aliases and the size of the condition tree are bounded', () => {
  it('an alias bomb fails in under 5 s, exit 2, naming its line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bomb.yaml'), aliasBomb());
    const started = Date.now();
    const term = memTerminal(dir);
    const code = await main(['validate', join(dir, 'bomb.yaml')], term);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(code).toBe(2);
    expect(term.stderrText()).toMatch(/^funnel: error: \/.*\/bomb\.yaml:\d+:\d+: YAML aliases expand to more than 100,000 characters of rules — /);
    expect(term.stderrText().split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('a few shared anchors are fine', () => {
    const yaml = `x: &sw { field: Industry, in: [Software, SaaS] }\nstages:\n  - { id: s }\n  - { id: t, when: { all: [ *sw, { field: Country, equals: FR } ] } }\n  - { id: u, when: { any: [ *sw, *sw ] } }\n`;
    expect(problemsOf(yaml).filter((p) => !p.includes("unknown key 'x'"))).toEqual([]);
  });

  it('so is the number of conditions, written out', () => {
    const many = Array(MAX_CONDITIONS).fill('{ field: e, equals: x }').join(', ');
    const problems = problemsOf(stagesWith(`{ any: [ ${many} ] }`));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('the rules hold more than 10,000 conditions');
  });
});

/** Stage n names the two stages before it: 2ⁿ paths to the first. */
function chainRules(n: number): string {
  const stages = ['  - { id: s0 }', '  - { id: s1, when: { field: Industry, equals: software } }'];
  for (let i = 2; i < n; i++) stages.push(`  - { id: s${i}, when: { all: [ { stage: s${i - 1} }, { stage: s${i - 2} } ] } }`);
  return `contacts: { key: Email }\nstages:\n${stages.join('\n')}\n`;
}

describe('stage references are checked and explained in linear time', () => {
  it('60 stages each naming the two before validate at once', () => {
    const started = Date.now();
    expect(problemsOf(chainRules(60))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('funnel_reason stays short: a referenced stage is explained one level deep', async () => {
    const started = Date.now();
    const [v] = await classifyMem(chainRules(20), [{ Email: 'a@x.com', Industry: 'Software' }], []);
    expect(v!.stage).toBe('s19');
    expect(v!.reason).toBe('s19: s18 (s17; s16); s17 (s16; s15)');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a cycle deep in a long chain is still found, once', () => {
    const yaml = chainRules(40).replace('{ id: s1, when: { field: Industry, equals: software } }', '{ id: s1, when: { stage: s39 } }');
    const problems = problemsOf(yaml);
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems[0]).toContain('stage references form a cycle: s1 → s39 → s38');
  });
});

describe('values no SQL dialect can hold are validation errors', () => {
  it.each([
    ['{ field: Industry, equals: .inf }', "'equals' is Infinity, which no data holds"],
    ['{ field: Industry, in: [a, -.inf] }', "each value of 'in' is -Infinity, which no data holds"],
    ['{ field: Industry, not_equals: .nan }', "'not_equals' is NaN, which no data holds"],
    ['{ field: Industry, contains: "a\\0b" }', "'contains' holds a NUL character (\\0)"],
    ['{ field: "Indus\\0try", present: true }', "'field' holds a NUL character (\\0)"],
    ['{ field: Industry, equals: "\\ud800" }', "'equals' holds half of a UTF-16 surrogate pair"],
  ])('%s', (when, message) => {
    const problems = problemsOf(stagesWith(when));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`r.yaml:4:`);
    expect(problems[0]).toContain(message);
  });

  it('funnel sql refuses them too (never exit 0 with a query the dialect cannot run)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'r.yaml'), `contacts: { key: Email }\n${stagesWith('{ field: Industry, equals: .nan }')}`);
    const term = memTerminal(dir);
    expect(await main(['sql', '-r', join(dir, 'r.yaml'), '--dialect', 'postgres'], term)).toBe(2);
    expect(term.stdoutText()).toBe('');
  });
});

describe('matches reads values of at most 100,000 characters', () => {
  it('a longer value is read as not matching, with a row warning, at once', async () => {
    const started = Date.now();
    const [long, short] = await classifyMem(stagesWith('{ field: Notes, matches: "^(a+)+$" }'), [{ Email: 'a@x.com', Notes: 'a'.repeat(MATCHES_MAX_CHARS + 1) }, { Email: 'b@x.com', Notes: 'a'.repeat(MATCHES_MAX_CHARS) }], []);
    expect(long!.stage).toBe('s');
    expect(long!.warnings).toEqual(['Notes has 100001 characters, more than matches reads (100,000): read as not matching']);
    expect(short!.stage).toBe('t');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
