import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadRulesText } from '../src/rules/load.js';
import { compileUserRegex } from '../src/rules/regex.js';
import { classifyMem } from './helpers.js';

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
