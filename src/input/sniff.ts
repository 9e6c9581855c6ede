/**
 * Guessing what a text is: CSV (and its delimiter), JSON or NDJSON. csv-parse's own `delimiter_auto`
 * throws on `1,"x"`, so the delimiter is counted here, outside quotes, over the first lines.
 */

export type Format = 'csv' | 'json' | 'ndjson';

export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Format from the file name, when it says; undefined for stdin or an unknown extension. */
export function formatFromName(path: string): Format | undefined {
  const p = path.toLowerCase().replace(/\.gz$/, '');
  if (p.endsWith('.ndjson') || p.endsWith('.jsonl')) return 'ndjson';
  if (p.endsWith('.json')) return 'json';
  if (p.endsWith('.csv') || p.endsWith('.tsv') || p.endsWith('.txt') || p.endsWith('.tab')) return 'csv';
  return undefined;
}

/** Format from the content: a leading `[` is JSON; `{` is NDJSON when the first line closes an object. */
export function formatFromText(head: string): Format {
  const s = head.replace(/^\uFEFF/, '').trimStart();
  if (s.startsWith('[')) return 'json';
  if (s.startsWith('{')) {
    const nl = s.indexOf('\n');
    const firstLine = nl === -1 ? s : s.slice(0, nl);
    try {
      JSON.parse(firstLine);
      return nl === -1 ? 'json' : 'ndjson';
    } catch {
      return 'json';
    }
  }
  return 'csv';
}

/**
 * Counts each candidate delimiter outside quotes on each of the first lines (quoted newlines respected) and
 * picks the one that splits the most lines into the same number of fields, the header included. Lines starting
 * with `#` before the header are left out.
 */
export function sniffDelimiter(head: string, maxLines = 50): string {
  const counts: number[][] = [];
  let cur = [0, 0, 0, 0];
  let inQuotes = false;
  let lineHasContent = false;
  for (let i = 0; i < head.length && counts.length < maxLines; i++) {
    // A `# exported by …` comment before the header says nothing of the delimiter (its commas are prose).
    if (counts.length === 0 && !lineHasContent && !inQuotes && head[i] === '#') {
      while (i < head.length && head[i] !== '\n') i++;
      continue;
    }
    const c = head[i]!;
    if (c === '"') {
      inQuotes = !inQuotes;
      lineHasContent = true;
    } else if (!inQuotes && (c === '\n' || c === '\r')) {
      if (c === '\r' && head[i + 1] === '\n') i++;
      if (lineHasContent) counts.push(cur);
      cur = [0, 0, 0, 0];
      lineHasContent = false;
    } else if (!inQuotes) {
      const k = DELIMITERS.indexOf(c as (typeof DELIMITERS)[number]);
      if (k !== -1) cur[k]!++;
      lineHasContent = true;
    }
  }
  if (lineHasContent && counts.length < maxLines) counts.push(cur);
  if (counts.length === 0) return ',';

  let best = ',';
  let bestScore = -1;
  DELIMITERS.forEach((d, k) => {
    const header = counts[0]![k]!;
    if (header === 0) return;
    // Lines whose count equals the header's: a consistent delimiter gives every line the same field count.
    const agreeing = counts.filter((c) => c[k] === header).length;
    const score = agreeing * 1000 + Math.min(header, 999);
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  });
  return best;
}

/** `--delimiter` values users type: `tab`, `\t`, `semicolon`… */
export function parseDelimiterOption(v: string): string | undefined {
  const named: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|' };
  const d = named[v.toLowerCase()] ?? v;
  return d.length === 1 && d !== '"' && d !== '\n' && d !== '\r' ? d : undefined;
}
