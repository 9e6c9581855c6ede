/**
 * What of a `matches` pattern (JavaScript syntax, already accepted by the rules loader) an engine's regular
 * expressions cannot read: found on the parsed pattern, so that `funnel sql` refuses it rather than printing
 * a query that fails, or matches otherwise, in the database.
 */
import regjsparser from 'regjsparser';
import type { AstNode } from 'regjsparser';

type Engine = 're2' | 'postgres';

function problemOf(n: AstNode, engine: Engine, inClass: boolean): string | undefined {
  switch (n.type) {
    case 'value':
      if (n.kind === 'unicodeEscape' && engine === 're2') return `a \\u escape (${n.raw})`;
      if (n.kind === 'controlLetter' && engine === 're2') return `a control escape (${n.raw})`;
      if (n.kind === 'identifier' && /^\\[A-Za-z]$/.test(n.raw)) return `an unknown escape (${n.raw})`;
      if (inClass && n.raw === '\\b') return 'a backspace escape ([\\b])';
      if (n.codePoint >= 0xd800 && n.codePoint <= 0xdfff) return 'a lone surrogate';
      return undefined;
    case 'characterClass':
      if (n.body.length === 0) return `an empty class (${n.raw})`;
      for (const m of n.body) {
        if (engine === 'postgres' && m.type === 'characterClassEscape' && /[DSW]/.test(m.value)) return `\\${m.value} inside a class (${n.raw})`;
        const p = m.type === 'value' ? problemOf(m, engine, true) : m.type === 'characterClassRange' ? (problemOf(m.min, engine, true) ?? problemOf(m.max, engine, true)) : undefined;
        if (p) return p;
      }
      return undefined;
    case 'group':
      if (n.behavior === 'normal' && 'name' in n && n.name) return `a named group (${n.raw.slice(0, n.raw.indexOf('>') + 1)})`;
      return first(n.body, engine);
    case 'alternative':
    case 'disjunction':
    case 'quantifier':
      return first(n.body, engine);
    default:
      return undefined;
  }
}

function first(nodes: AstNode[], engine: Engine): string | undefined {
  for (const b of nodes) {
    const p = problemOf(b, engine, false);
    if (p) return p;
  }
  return undefined;
}

export function regexProblem(source: string, engine: Engine): string | undefined {
  let ast: AstNode;
  try {
    ast = regjsparser.parse(source, '', { namedGroups: true, lookbehind: true }) as AstNode;
  } catch {
    return 'syntax funnel cannot translate';
  }
  return problemOf(ast, engine, false);
}
