#!/usr/bin/env node
/**
 * A floor, not funnel: the bench's job (rules.example.yaml) written by hand in plain Node for the bench's generated
 * exports only, to measure how fast JavaScript on this machine can do it at all (README, Performance; issue 17).
 *
 * Two threads each fold half of the activities (key lowercased and hashed into an open-addressing table with its
 * bytes, the label mapped to its signal, the date read, the score and the counts the stages test), the halves are
 * merged, then each thread classifies half of the contacts with the example's rules hard-coded and writes the
 * annotated rows (the row's bytes, then stage, score, fit, persona, contactable, content, action, a one-line
 * reason, warnings, stage_since) to contacts.csv and to its stage's file. What it leaves out makes it a lower
 * bound: no header mapping, sniffing, encodings or validation; no quoted activities (the generator writes none);
 * three date forms; each thread writes its own files (no joining of the two halves); reasons shorter than
 * funnel's; no summary; no atomic commit.
 *
 *   node bench/floor.mjs <contacts.csv> <activities.csv> <out-dir>
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const AS_OF = Date.UTC(2026, 10, 15, 12) / 1000;
const DAY = 86400;
const SIGNALS = ['page_view', 'email_open', 'email_click', 'form_submit', 'newsletter_signup', 'content_download', 'webinar_attended', 'email_reply', 'call', 'meeting', 'demo_request', 'quote_sent', 'purchase', 'referral', 'email_bounce', 'hard_bounce'];
const LABELS = {
  page_view: ['page view', 'website visit', 'visit'], email_open: ['email open', 'email opened', 'marketing email opened'],
  email_click: ['email click', 'email clicked', 'marketing email clicked'], form_submit: ['form submission', 'form submitted', 'contact form'],
  newsletter_signup: ['newsletter signup', 'newsletter subscription', 'subscribed'],
  content_download: ['e-book download', 'white paper download', 'content download', 'case study download'],
  webinar_attended: ['webinar attended', 'webinar attendance', 'event attended'], email_reply: ['email reply', 'replied to email'],
  call: ['call', 'phone call', 'call logged'], meeting: ['meeting', 'meeting booked', 'meeting held'], demo_request: ['demo request', 'demo requested'],
  quote_sent: ['quote sent', 'quote', 'proposal sent'], purchase: ['purchase', 'order', 'closed won', 'deal won'],
  referral: ['referral', 'referred a contact', 'review published'], email_bounce: ['email bounce'], hard_bounce: ['hard bounce'],
};
const POINTS = [1, 2, 4, 8, 5, 10, 15, 20, 20, 25, 30, 0, 0, 0, 0, 0];
// Per signal, the counter it adds to: 0 lead, 1 mql (90 days), 2 sql (180 days), 3 purchase, 4 referral, 5 bounce, -1 none.
const GROUP = [-1, -1, -1, 0, 0, 1, 1, 2, 2, 2, 2, 2, 3, 4, 5, 5];
const WINDOW = [Infinity, 90 * DAY, 180 * DAY, Infinity, Infinity, Infinity];
const GROUPS = 6;

function fnv(buf, s, e) {
  let h = 0x811c9dc5 | 0;
  for (let i = s; i < e; i++) {
    let c = buf[i];
    if (c >= 65 && c <= 90) c |= 32;
    h = Math.imul(h ^ c, 16777619);
  }
  return h;
}

/** Label (lowercased bytes) → signal index, by FNV hash; a label not listed is -1 ("other"). */
const LABEL_OF = new Map();
for (const [sig, labels] of Object.entries(LABELS)) for (const l of labels) LABEL_OF.set(fnv(Buffer.from(l), 0, l.length), SIGNALS.indexOf(sig));

/** Keys, their bytes kept to compare, and per slot the score and the group counts. */
class Table {
  constructor(bits) {
    this.mask = (1 << bits) - 1;
    this.slots = new Int32Array(1 << bits).fill(-1);
    this.hashes = new Int32Array(1 << bits);
    this.starts = new Int32Array(1 << (bits - 1));
    this.lens = new Int32Array(1 << (bits - 1));
    this.arena = Buffer.allocUnsafe(64 << 20);
    this.used = 0;
    this.n = 0;
    this.score = new Float64Array(1 << (bits - 1));
    this.counts = new Int32Array((1 << (bits - 1)) * GROUPS);
  }
  slot(buf, s, e, h) {
    let p = h & this.mask;
    for (;;) {
      const k = this.slots[p];
      if (k < 0) break;
      if (this.hashes[p] === h && this.same(k, buf, s, e)) return k;
      p = (p + 1) & this.mask;
    }
    const k = this.n++;
    this.slots[p] = k;
    this.hashes[p] = h;
    this.starts[k] = this.used;
    this.lens[k] = e - s;
    for (let i = s; i < e; i++) {
      let c = buf[i];
      if (c >= 65 && c <= 90) c |= 32;
      this.arena[this.used++] = c;
    }
    return k;
  }
  same(k, buf, s, e) {
    if (this.lens[k] !== e - s) return false;
    const a = this.arena;
    for (let i = s, j = this.starts[k]; i < e; i++, j++) {
      let c = buf[i];
      if (c >= 65 && c <= 90) c |= 32;
      if (a[j] !== c) return false;
    }
    return true;
  }
  find(buf, s, e) {
    const h = fnv(buf, s, e);
    let p = h & this.mask;
    for (;;) {
      const k = this.slots[p];
      if (k < 0) return -1;
      if (this.hashes[p] === h && this.same(k, buf, s, e)) return k;
      p = (p + 1) & this.mask;
    }
  }
}

const d2 = (b, i) => (b[i] - 48) * 10 + b[i + 1] - 48;
/** Seconds since 1970 of YYYY-MM-DD, YYYY-MM-DD HH:MM or YYYY-MM-DDTHH:MM:SSZ (days from civil, Hinnant). */
function seconds(b, s, e) {
  let y = d2(b, s) * 100 + d2(b, s + 2);
  const m = d2(b, s + 5);
  const d = d2(b, s + 8);
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  let t = days * DAY;
  if (e - s >= 16) t += d2(b, s + 11) * 3600 + d2(b, s + 14) * 60;
  if (e - s >= 19) t += d2(b, s + 17);
  return t;
}

/**
 * Calls `line(buf, start, end)` for each record of bytes [from, to) of a file, a line break inside quotes not
 * ending one. `exact`: `from` is a record's start; else the line spanning it is left out (no quotes in the file).
 */
function eachLine(path, from, to, line, exact = false) {
  const fd = openSync(path, 'r');
  let buf = Buffer.allocUnsafe(4 << 20);
  let pos = from;
  if (from > 0 && !exact) {
    const b = Buffer.alloc(1 << 16);
    const n = readSync(fd, b, 0, b.length, from - 1);
    let i = 0;
    while (i < n && b[i] !== 10) i++;
    pos = from + i;
  }
  let carry = 0;
  for (;;) {
    const n = readSync(fd, buf, carry, buf.length - carry, pos);
    const end = carry + n;
    const startOfBlock = pos - carry;
    pos += n;
    let s = 0;
    let quoted = false;
    for (let i = 0; i < end; i++) {
      const c = buf[i];
      if (c === 34) quoted = !quoted;
      if (c !== 10 || quoted) continue;
      if (startOfBlock + s >= to) return closeSync(fd);
      line(buf, s, i);
      s = i + 1;
    }
    if (n <= 0) {
      if (s < end && startOfBlock + s < to) line(buf, s, end);
      return closeSync(fd);
    }
    if (s === 0 && end === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, end);
      buf = bigger;
    } else buf.copy(buf, 0, s, end);
    carry = end - s;
  }
}

/** The start of the first record at or after byte `at`, quotes counted from the file's start. */
function cutAt(path, at) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  let quoted = false;
  for (let pos = 0; ; ) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n <= 0) return closeSync(fd), pos;
    for (let i = 0; i < n; i++) {
      const c = buf[i];
      if (c === 34) quoted = !quoted;
      else if (c === 10 && !quoted && pos + i >= at) return closeSync(fd), pos + i + 1;
    }
    pos += n;
  }
}

/** Table bits for a file of activities: twice the keys at about 10 rows of 68 bytes a key. */
const bitsFor = (size) => Math.max(16, Math.ceil(Math.log2(size / 340)));

function fold(path, from, to, bits) {
  const t = new Table(bits);
  let header = from === 0;
  eachLine(path, from, to, (b, s, e) => {
    if (header) return void (header = false);
    let c1 = s;
    while (b[c1] !== 44) c1++;
    let c2 = c1 + 1;
    while (b[c2] !== 44) c2++;
    let c3 = c2 + 1;
    while (b[c3] !== 44 && c3 < e) c3++;
    let ks = s, ke = c1;
    while (ks < ke && b[ks] === 32) ks++;
    while (ke > ks && b[ke - 1] === 32) ke--;
    if (ks === ke) return;
    const k = t.slot(b, ks, ke, fnv(b, ks, ke));
    const sig = LABEL_OF.get(fnv(b, c1 + 1, c2)) ?? -1;
    if (sig < 0) return;
    const at = seconds(b, c2 + 1, c3);
    if (at > AS_OF) return;
    const age = AS_OF - at;
    if (POINTS[sig]) t.score[k] += POINTS[sig] * Math.exp(age * (-Math.LN2 / (30 * DAY)));
    const g = GROUP[sig];
    if (g >= 0 && age <= WINDOW[g]) t.counts[k * GROUPS + g]++;
  });
  return t;
}

/** Adds the other thread's table into this one. */
function merge(into, other) {
  for (let k = 0; k < other.n; k++) {
    const s = other.starts[k];
    const e = s + other.lens[k];
    const j = into.slot(other.arena, s, e, fnv(other.arena, s, e));
    into.score[j] += other.score[k];
    for (let g = 0; g < GROUPS; g++) into.counts[j * GROUPS + g] += other.counts[k * GROUPS + g];
  }
}

const INDUSTRY = new Set(['software', 'saas', 'it services', 'information technology']);
const COUNTRY = new Set(['france', 'germany', 'belgium', 'switzerland', 'united kingdom', 'united states', 'canada']);
const OPTIN = new Set(['yes', 'true', '1', 'opted in', 'opt-in', 'subscribed', 'oui']);
const TITLE = /\b(head|director|vp|chief|c[eiot]o|manager|lead)\b/;
const CONTENT = { suspect: 'discovery', lead: 'discovery', mql: 'evaluation', sql: 'decision', customer: 'onboarding', advocate: 'referral', disqualified: 'none' };
const ACTION = { suspect: 'observe', lead: 'nurture', mql: 'nurture with evaluation content', sql: 'hand over to sales', customer: 'onboard', advocate: 'invite to referral programme', disqualified: 'exclude' };

/** The fields of one CSV line that the rules read (quotes undone), as strings; the others are skipped. */
const READ = [true, false, false, false, true, true, true, true, true, true, false, false, false, false, false, false];
function fields(b, s, e, out) {
  let n = 0;
  let i = s;
  while (i <= e) {
    if (b[i] === 34) {
      let j = i + 1;
      let text = '';
      for (;;) {
        let q = j;
        while (b[q] !== 34) q++;
        if (READ[n]) text += b.toString('utf8', j, q);
        if (b[q + 1] === 34) {
          text += '"';
          j = q + 2;
        } else {
          i = q + 2;
          break;
        }
      }
      out[n++] = text;
    } else {
      let j = i;
      while (j < e && b[j] !== 44) j++;
      out[n] = READ[n] ? b.toString('utf8', i, j) : '';
      n++;
      i = j + 1;
    }
  }
  return n;
}

function csvCell(v) {
  return /[",\n\r]/.test(v) || v !== v.trim() ? `"${v.replaceAll('"', '""')}"` : v;
}

function classifyRange(path, from, to, t, outDir, tag) {
  const files = new Map();
  const file = (name) => {
    let f = files.get(name);
    if (!f) files.set(name, (f = { fd: openSync(join(outDir, `${name}.${tag}.csv`), 'w'), buf: Buffer.allocUnsafe(1 << 20), n: 0 }));
    return f;
  };
  const put = (f, b, s, e) => {
    if (f.n + (e - s) > f.buf.length) {
      writeSync(f.fd, f.buf, 0, f.n);
      f.n = 0;
    }
    f.n += b.copy(f.buf, f.n, s, e);
  };
  const scratch = Buffer.allocUnsafe(1 << 16);
  const v = new Array(16);
  let header = from === 0;
  let rows = 0;
  eachLine(path, from, to, (b, s, e) => {
    if (header) return void (header = false);
    rows++;
    fields(b, s, e, v);
    const email = v[0].trim().toLowerCase();
    let ks = s, ke = s;
    while (b[ke] !== 44) ke++;
    while (ks < ke && b[ks] === 32) ks++;
    while (ke > ks && b[ke - 1] === 32) ke--;
    const k = t.find(b, ks, ke);
    const at = email.lastIndexOf('@');
    const domain = email.slice(at + 1);
    let fit = 0;
    if (INDUSTRY.has(v[4].trim().toLowerCase())) fit += 20;
    const emp = Number(v[5].replace(/[ ,]/g, ''));
    const warn = v[5] !== '' && Number.isNaN(emp) ? `unparsable number in Number of Employees: '${v[5]}'` : '';
    if (emp >= 50) fit += 20;
    if (TITLE.test(v[7].trim().toLowerCase())) fit += 10;
    if (COUNTRY.has(v[6].trim().toLowerCase())) fit += 10;
    const consent = OPTIN.has(v[8].trim().toLowerCase());
    const life = v[9].trim().toLowerCase();
    const c = (g) => (k < 0 ? 0 : t.counts[k * GROUPS + g]);
    const score = k < 0 ? 0 : t.score[k];
    let stage, reason;
    if (domain === 'rival.example' || domain === 'competitor.example') (stage = 'disqualified'), (reason = `disqualified: competitor (Email domain ${domain})`);
    else if (/^(test|demo|noreply)[^@]*@/.test(email) || domain === 'example.invalid' || domain === 'mailinator.com') (stage = 'disqualified'), (reason = 'disqualified: test_account');
    else if (c(5) > 0) (stage = 'disqualified'), (reason = `disqualified: bounced (${c(5)} events)`);
    else if ((c(3) > 0 || life === 'customer') && c(4) > 0) (stage = 'advocate'), (reason = `advocate: customer; referral (${c(4)} events)`);
    else if (c(3) > 0 || life === 'customer') (stage = 'customer'), (reason = c(3) > 0 ? `customer: purchase (${c(3)} events)` : 'customer: Lifecycle Stage=customer');
    else if (fit >= 30 && c(2) > 0) (stage = 'sql'), (reason = `sql: persona (fit ${fit}≥30); sales signal within 180d (${c(2)} events)`);
    else if (score >= 20 && c(1) > 0) (stage = 'mql'), (reason = `mql: score ${score.toFixed(1)}≥20; content within 90d (${c(1)} events)`);
    else if (c(0) > 0 || life === 'lead' || life === 'subscriber') (stage = 'lead'), (reason = c(0) > 0 ? `lead: form or signup (${c(0)} events)` : `lead: Lifecycle Stage=${life}`);
    else (stage = 'suspect'), (reason = 'suspect: no rule of a later stage holds');
    const action = stage !== 'disqualified' && !consent && stage !== 'customer' ? 'do not email — no consent' : ACTION[stage];
    const tail = `,${stage},${(Math.round(score * 10) / 10).toFixed(1)},${fit},${fit >= 30 ? 'yes' : 'no'},${consent ? 'yes' : 'no'},${CONTENT[stage]},${action},${csvCell(reason)},${csvCell(warn)},2026-11-15T12:00:00Z\n`;
    const n = scratch.write(tail, 0);
    put(file('contacts'), b, s, e);
    put(file('contacts'), scratch, 0, n);
    put(file(stage), b, s, e);
    put(file(stage), scratch, 0, n);
  }, true);
  for (const f of files.values()) {
    writeSync(f.fd, f.buf, 0, f.n);
    closeSync(f.fd);
  }
  return rows;
}

/** The table's arrays in shared memory, so that the other thread reads the merged table without a copy. */
function share(t) {
  const out = {};
  for (const key of ['slots', 'hashes', 'starts', 'lens', 'score', 'counts']) {
    const a = t[key];
    const s = new a.constructor(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    out[key] = s;
  }
  const arena = Buffer.from(new SharedArrayBuffer(t.used));
  t.arena.copy(arena, 0, 0, t.used);
  return { ...out, arena, mask: t.mask, n: t.n, used: t.used };
}
const fromShared = (s) => Object.assign(Object.create(Table.prototype), s);

if (isMainThread) {
  const [contacts, activities, outDir] = process.argv.slice(2);
  mkdirSync(outDir, { recursive: true });
  const t0 = performance.now();
  const size = (p) => fstatSync(openSync(p, 'r')).size;
  const aSize = size(activities);
  const w = new Worker(new URL(import.meta.url), { workerData: { path: activities, from: aSize >> 1, to: aSize, bits: bitsFor(aSize) } });
  const next = () => new Promise((r) => w.once('message', r));
  const theirs = next();
  const table = fold(activities, 0, aSize >> 1, bitsFor(aSize));
  const t1 = performance.now();
  merge(table, fromShared(await theirs));
  const shared = share(table);
  const t2 = performance.now();
  const cSize = size(contacts);
  const cut = cutAt(contacts, cSize >> 1);
  const done = next();
  w.postMessage({ table: shared, path: contacts, from: cut, to: cSize, outDir });
  const mine = classifyRange(contacts, 0, cut, fromShared(shared), outDir, 'a');
  const other = await done;
  console.log(JSON.stringify({ contact_rows: mine + other, ms: Math.round(performance.now() - t0), fold_ms: Math.round(t1 - t0), merge_ms: Math.round(t2 - t1), classify_ms: Math.round(performance.now() - t2) }));
  await w.terminate();
} else {
  const { path, from, to, bits } = workerData;
  parentPort.postMessage(share(fold(path, from, to, bits)));
  parentPort.once('message', (m) => parentPort.postMessage(classifyRange(m.path, m.from, m.to, fromShared(m.table), m.outDir, 'b')));
}
