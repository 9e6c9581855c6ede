#!/usr/bin/env node
/**
 * Seeded generator of realistic CRM exports (HubSpot-style CSV, API-style JSON and NDJSON), used for the
 * committed fixtures and by the benchmark. Same seed, same bytes.
 *
 *   node scripts/generate.mjs --contacts 400 --events-per-contact 10 --out fixtures/hubspot [--format csv|api] [--seed 42]
 *   node scripts/generate.mjs --fixtures      # rewrites the committed fixtures
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ana', 'Zoë', 'François', 'Jürgen', 'Chloé', 'Bob', 'Dan', 'Eve', 'Søren', 'María', 'José', 'Léa', 'Björn', 'Noémie', 'Oğuz', 'Siobhán', 'Wei', 'Priya', 'Tomás', 'Ines'];
const LAST = ['Martin', 'Müller', 'Dubois', 'García', 'Smith', 'Nguyen', 'Rossi', 'Łukasz', "O'Brien", 'Lefèvre', 'Kowalski', 'Johansson', 'Durand', 'Schmidt', 'Moreau'];
const DOMAINS = ['acme.io', 'globex.com', 'initech.fr', 'umbrella.de', 'hooli.com', 'stark.co.uk', 'wayne.com', 'gmail.com', 'outlook.fr', 'rival.example', 'mailinator.com'];
const INDUSTRY = ['Software', 'software', 'SaaS', 'SaaS ', 'IT Services', 'Retail', 'Manufacturing', 'Healthcare', 'Education', '', 'Information Technology', 'Finance'];
const EMPLOYEES = ['5', '12', '50', '120', '1,200', '250', '10 000', '', 'unknown', '45', '80', '3500'];
const COUNTRY = ['France', 'Germany', 'Belgium', 'United States', 'United Kingdom', 'Spain', 'Italy', 'Canada', 'Brazil', ''];
const TITLE = ['Head of Marketing', 'CTO', 'Marketing Manager', 'Intern', 'Sales Director', 'VP Sales', 'Developer', 'Owner', 'Office assistant', ''];
const OPTIN = ['yes', 'Yes', 'true', '1', 'no', '', 'opted in', 'false', 'Oui', 'no'];
const LIFECYCLE = ['', '', '', '', 'subscriber', 'lead', '', 'customer', '', ''];
const LABELS = [
  ['Page View', 30], ['Email Open', 20], ['Email Click', 10], ['Form Submission', 4], ['Newsletter Signup', 3],
  ['E-book download', 4], ['White paper download', 2], ['Webinar Attended', 2], ['Email Reply', 2], ['Call', 1],
  ['Meeting', 1], ['Demo Request', 1], ['Quote Sent', 0.5], ['Purchase', 0.6], ['Referral', 0.3], ['Hard Bounce', 0.2], ['Chat started', 1],
];
const TOTAL_W = LABELS.reduce((a, [, w]) => a + w, 0);
const DAY = 86_400_000;
export const ANCHOR = Date.UTC(2026, 10, 15, 12, 0, 0); // 2026-11-15T12:00Z: fixtures are relative to it

function pick(r, arr) {
  return arr[Math.floor(r() * arr.length)];
}
function label(r) {
  let x = r() * TOTAL_W;
  for (const [l, w] of LABELS) if ((x -= w) < 0) return l;
  return LABELS[0][0];
}
function csvField(v, d = ',') {
  return /["\r\n]/.test(v) || v.includes(d) ? `"${v.replace(/"/g, '""')}"` : v;
}
function isoDate(t, r) {
  const d = new Date(t).toISOString();
  const k = r();
  if (k < 0.6) return d.replace(/\.\d{3}Z$/, 'Z');
  if (k < 0.9) return d.slice(0, 16).replace('T', ' ');
  return d.slice(0, 10);
}

export function contactAt(r, i) {
  const first = pick(r, FIRST);
  const last = pick(r, LAST);
  const domain = i % 97 === 13 ? 'rival.example' : pick(r, DOMAINS);
  let email = `${first}.${last}${i}@${domain}`.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9.@-]/g, '').toLowerCase();
  if (i % 53 === 7) email = email.toUpperCase();
  if (i % 71 === 5) email = ` ${email} `;
  return {
    email,
    first,
    last,
    company: `${last} & Co, ${pick(r, ['SA', 'GmbH', 'Ltd', 'Inc.'])}`,
    industry: pick(r, INDUSTRY),
    employees: pick(r, EMPLOYEES),
    country: pick(r, COUNTRY),
    title: pick(r, TITLE),
    optin: pick(r, OPTIN),
    lifecycle: pick(r, LIFECYCLE),
    notes: i % 41 === 3 ? 'Met at the fair, "very keen";\nwants a call' : '',
  };
}

export const CONTACT_HEADER = ['Email', 'First Name', 'Last Name', 'Company', 'Industry', 'Number of Employees', 'Country', 'Job Title', 'Email opt-in', 'Lifecycle Stage', 'Notes'];

async function write(stream, s) {
  if (!stream.write(s)) await once(stream, 'drain');
}
async function close(stream) {
  stream.end();
  await once(stream, 'finish');
}

/** Writes contacts and activities; returns row counts. */
export async function generate({ contacts, eventsPerContact, out, format = 'csv', seed = 42 }) {
  mkdirSync(out, { recursive: true });
  const r = rng(seed);
  const api = format === 'api';
  const cs = createWriteStream(join(out, api ? 'contacts.json' : 'contacts.csv'));
  const as = createWriteStream(join(out, api ? 'activities.ndjson' : 'activities.csv'));
  if (api) await write(cs, '{"total": ' + contacts + ', "results": [\n');
  else await write(cs, CONTACT_HEADER.join(',') + '\n');
  if (!api) await write(as, 'Email,Activity Type,Activity Date,Campaign\n');
  let events = 0;
  for (let i = 0; i < contacts; i++) {
    const c = contactAt(r, i);
    const vals = [c.email, c.first, c.last, c.company, c.industry, c.employees, c.country, c.title, c.optin, c.lifecycle, c.notes];
    if (api) {
      const props = Object.fromEntries(CONTACT_HEADER.map((h, k) => [h, vals[k]]));
      await write(cs, `${i ? ',\n' : ''}  ${JSON.stringify({ id: String(1000 + i), properties: props, archived: false })}`);
    } else await write(cs, vals.map((v) => csvField(v)).join(',') + '\n');
    // Engagement varies a lot: 30% do nothing, the others a uniform share; the mean is eventsPerContact.
    const n = r() < 0.3 ? 0 : Math.round((eventsPerContact / 0.7) * r() * 2);
    for (let k = 0; k < n; k++) {
      // Recent events are more frequent than old ones, as in a live database.
      const t = ANCHOR - Math.floor(r() ** 2 * 400 * DAY);
      const l = label(r);
      const key = r() < 0.05 ? c.email.toUpperCase() : c.email.trim();
      const when = isoDate(t, r);
      if (api) await write(as, JSON.stringify({ contact: { email: key }, type: l, timestamp: when, campaign: r() < 0.5 ? 'Autumn launch' : null }) + '\n');
      else await write(as, `${csvField(key)},${csvField(l)},${when},${r() < 0.5 ? 'Autumn launch' : ''}\n`);
      events++;
    }
  }
  // Activities of people who are not in the contacts export.
  for (let k = 0; k < Math.max(3, contacts / 50); k++) {
    const when = isoDate(ANCHOR - Math.floor(r() * 30 * DAY), r);
    if (api) await write(as, JSON.stringify({ contact: { email: `stranger${k}@nowhere.net` }, type: 'Page View', timestamp: when }) + '\n');
    else await write(as, `stranger${k}@nowhere.net,Page View,${when},\n`);
    events++;
  }
  if (api) await write(cs, '\n]}\n');
  await close(cs);
  await close(as);
  return { contacts, events };
}

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--fixtures')) {
    const a = await generate({ contacts: 400, eventsPerContact: 12, out: 'fixtures/hubspot', seed: 42 });
    const b = await generate({ contacts: 60, eventsPerContact: 8, out: 'fixtures/api', format: 'api', seed: 7 });
    console.log(`fixtures/hubspot: ${a.contacts} contacts, ${a.events} activities; fixtures/api: ${b.contacts} contacts, ${b.events} activities`);
  } else {
    const res = await generate({
      contacts: Number(arg('contacts', '1000')),
      eventsPerContact: Number(arg('events-per-contact', '10')),
      out: arg('out', 'bench/data'),
      format: arg('format', 'csv'),
      seed: Number(arg('seed', '42')),
    });
    console.log(JSON.stringify(res));
  }
}
