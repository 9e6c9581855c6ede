/**
 * Numbers as people type them in CRMs: `1,200`, `1 200`, `1.200,50`, `1,5`, `€ 12k`? — the last is not a
 * number here. Ambiguity is resolved the way spreadsheets of either convention write numbers.
 */

const PLAIN = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const THOUSANDS_COMMA = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const THOUSANDS_DOT = /^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

export function parseNumber(text: string): number {
  let s = text.trim();
  if (s === '') return NaN;
  // Currency signs, percent and spaces used as thousands separators carry no value.
  s = s.replace(/[\s\u00a0\u202f'’]/g, '').replace(/^[$€£¥]|[$€£¥%]$/g, '');
  if (PLAIN.test(s)) return Number(s);
  if (THOUSANDS_COMMA.test(s)) return Number(s.replace(/,/g, ''));
  if (THOUSANDS_DOT.test(s)) return Number(s.replace(/\./g, '').replace(',', '.'));
  if (DECIMAL_COMMA.test(s)) return Number(s.replace(',', '.'));
  return NaN;
}
