/** The page's only style sheet: readable on a phone, printable on A4, colours kept when printed. */
export const CSS = `
:root { color-scheme: light; --ink: #1f2933; --muted: #52606d; --line: #d9dee4; --head: #f3f5f7; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 980px; padding: 24px 20px 48px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
header { border-bottom: 2px solid var(--ink); margin-bottom: 8px; padding-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 4px; line-height: 1.2; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); break-after: avoid; }
.meta, .note, .legend { color: var(--muted); font-size: 13px; margin: 4px 0 10px; }
.legend b { color: var(--ink); }
figure.chart { margin: 12px 0; break-inside: avoid; }
figcaption { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 8px 20px; }
.multiples figure.chart { margin: 4px 0; }
.table { overflow-x: auto; margin: 12px 0; break-inside: avoid; }
table { border-collapse: collapse; font-size: 13px; min-width: 50%; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: var(--ink); }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
thead th { background: var(--head); border-bottom: 2px solid var(--line); }
th[scope=row] { font-weight: 500; }
tfoot th, tfoot td { font-weight: 600; border-top: 2px solid var(--line); border-bottom: none; }
.n { text-align: right; }
.indent { padding-left: 1.2em; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media (max-width: 600px) {
  body { padding: 14px 10px 32px; font-size: 14px; }
  h1 { font-size: 21px; }
  th, td { padding: 3px 6px; }
}
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section { break-inside: auto; }
  h2 { margin-top: 18px; }
  .table { overflow: visible; }
  /* Wide tables (cohorts, segments) fit the A4 text width: smaller type, headers may wrap. */
  table { font-size: 8pt; }
  th, td { padding: 2px 5px; }
  thead th { white-space: normal; }
}
`;
