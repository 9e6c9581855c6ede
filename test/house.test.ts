/**
 * The shape of the house, checked: no function over 80 lines, no file over 400, no import circle, and the
 * folders' flow one way (values → input → rules → aggregate → classify → output; sql/ and commands/ beside,
 * cli/ on top). A file or function that grows past the bound fails here, naming itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');
const MAX_FUNCTION_LINES = 80;
const MAX_FILE_LINES = 400;

/** What each folder may import (value and type imports alike); errors.ts and util/ are open to all. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  values: [],
  input: ['values'],
  rules: ['values'],
  aggregate: ['values', 'input', 'rules'],
  classify: ['values', 'rules', 'aggregate'],
  sql: ['values', 'rules', 'aggregate', 'classify'],
  output: ['values', 'input', 'rules', 'aggregate', 'classify', 'sql'],
  commands: ['values', 'input', 'rules', 'aggregate', 'classify', 'sql', 'output'],
  cli: ['values', 'input', 'rules', 'aggregate', 'classify', 'sql', 'output', 'commands'],
};
const OPEN = new Set(['errors.ts', 'util']);

/** Offenders found, as `key: detail`: none may be. */
function expectNone(found: { key: string; detail: string }[], kind: string): void {
  expect(found.map((f) => f.detail), kind).toEqual([]);
}

interface Source {
  file: string;
  text: string;
  ast: ts.SourceFile;
}

function sources(dir = SRC): Source[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    if (!p.endsWith('.ts')) return [];
    const text = readFileSync(p, 'utf8');
    return [{ file: relative(SRC, p), text, ast: ts.createSourceFile(p, text, ts.ScriptTarget.Latest, true) }];
  });
}

const ALL = sources();

function lineOf(src: Source, pos: number): number {
  return src.ast.getLineAndCharacterOfPosition(pos).line + 1;
}

function longFunctions(src: Source): { key: string; detail: string }[] {
  const found: { key: string; detail: string }[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const lines = lineOf(src, n.getEnd()) - lineOf(src, n.getStart()) + 1;
      const name = n.name && ts.isIdentifier(n.name) ? n.name.text : '(anonymous)';
      if (lines > MAX_FUNCTION_LINES) found.push({ key: `${src.file} ${name}`, detail: `${src.file}:${lineOf(src, n.getStart())} ${name}: ${lines} lines` });
    }
    ts.forEachChild(n, visit);
  };
  visit(src.ast);
  return found;
}

/** Relative imports of a file, as paths under src/ (`.js` specifiers name the `.ts` sources). */
function imports(src: Source): { to: string; typeOnly: boolean }[] {
  const out: { to: string; typeOnly: boolean }[] = [];
  for (const n of src.ast.statements) {
    if (!(ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) || !n.moduleSpecifier) continue;
    const spec = (n.moduleSpecifier as ts.StringLiteral).text;
    if (!spec.startsWith('.')) continue;
    const typeOnly = ts.isImportDeclaration(n) ? !!n.importClause?.isTypeOnly : n.isTypeOnly;
    out.push({ to: relative(SRC, resolve(SRC, dirname(src.file), spec.replace(/\.js$/, '.ts'))), typeOnly });
  }
  return out;
}

function folder(file: string): string {
  return file.includes('/') ? file.slice(0, file.indexOf('/')) : file;
}

function cycles(): string[] {
  const graph = new Map(ALL.map((s) => [s.file, imports(s).filter((i) => !i.typeOnly).map((i) => i.to)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const to of graph.get(f) ?? []) {
      if (state.get(to) === 'open') found.push([...stack.slice(stack.indexOf(to)), to].join(' → '));
      else if (!state.has(to) && graph.has(to)) visit(to);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

describe('the shape of src/', () => {
  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    expectNone(ALL.flatMap(longFunctions), 'function');
  });

  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const big = ALL.filter((s) => s.text.split('\n').length > MAX_FILE_LINES).map((s) => ({ key: s.file, detail: `${s.file}: ${s.text.split('\n').length} lines` }));
    expectNone(big, 'file');
  });

  it('has no import circle', () => {
    expectNone(cycles().map((c) => ({ key: c, detail: c })), 'circle');
  });

  it('imports in the direction of the flow only', () => {
    const wrong = ALL.flatMap((s) =>
      imports(s)
        .filter(({ to }) => {
          const from = folder(s.file);
          const target = folder(to);
          return target !== from && !OPEN.has(target) && MAY_IMPORT[from] !== undefined && !MAY_IMPORT[from]!.includes(target);
        })
        .map(({ to }) => ({ key: `${s.file} → ${to}`, detail: `${s.file} → ${to}` })),
    );
    expectNone(wrong, 'import');
  });

  it('sees the folders it checks', () => {
    expect(Object.keys(MAY_IMPORT).every((f) => ALL.some((s) => folder(s.file) === f))).toBe(true);
    expect(ALL.length).toBeGreaterThan(50);
  });
});
