/**
 * The sections that say how the exports are read: `contacts`, `activities` and `fields`. Each reads its
 * section (absent: its defaults), reports its problems at their positions and notes where the column names it
 * gives stand, for `validate`'s messages about the data.
 */
import { norm, snakeCase } from '../util/text.js';
import { orList, type Checker, type Entry } from './checker.js';
import { ACTIVITIES, CONTACTS, keysOf, shapeOf, type Shape } from './grammar.js';
import type { Pos, Rules } from './model.js';

/** Where values stand in the source, by path (`contacts.key`, `fields.industry`). */
export type Positions = Map<string, Pos>;

const CONTACTS_KEYS = keysOf(CONTACTS);
const ACTIVITIES_KEYS = keysOf(ACTIVITIES);

/** A text key with an enumeration (grammar.ts): its value when allowed; an error naming the allowed ones else. */
function oneOf(c: Checker, e: Entry, parent: Shape, hint: string): string | undefined {
  const s = shapeOf(parent, e.key);
  const allowed = s.type === 'text' && s.enum ? s.enum : [];
  const v = c.typed(e.value, s, `'${e.key}'`) as string | undefined;
  if (v !== undefined && allowed.includes(v)) return v;
  if (v !== undefined) c.error(e.value, `${e.key} must be ${orList(allowed)}, not '${v}'`, hint);
  return undefined;
}

export function parseContacts(c: Checker, section: Entry | undefined, positions: Positions): Rules['contacts'] {
  const contacts: Rules['contacts'] = { normalize: 'email' };
  const m = section && c.mapping(section.value, `'contacts'`, CONTACTS_KEYS);
  if (!m) return contacts;
  contacts.key = c.optional<string>(m, CONTACTS, 'key', `contacts key`);
  if (m.has('key')) positions.set('contacts.key', c.pos(m.get('key')!.value));
  contacts.created = c.optional<string>(m, CONTACTS, 'created', `contacts created`);
  if (m.has('created')) positions.set('contacts.created', c.pos(m.get('created')!.value));
  const n = m.get('normalize');
  const normalize = n && oneOf(c, n, CONTACTS, 'email trims and lowercases keys; exact keeps them as they are');
  if (normalize !== undefined) contacts.normalize = normalize as Rules['contacts']['normalize'];
  return contacts;
}

/** The `activities` section, and the signals its `types` declare (points for others may be typos). */
export function parseActivities(c: Checker, section: Entry | undefined, positions: Positions): { activities: Rules['activities']; signals: Set<string> } {
  const activities: Rules['activities'] = { dateOrder: 'auto', timezone: 'UTC', types: new Map() };
  const signals = new Set<string>();
  const m = section && c.mapping(section.value, `'activities'`, ACTIVITIES_KEYS);
  if (!m) return { activities, signals };
  activities.key = c.optional<string>(m, ACTIVITIES, 'key', 'activities key');
  activities.type = c.optional<string>(m, ACTIVITIES, 'type', 'activities type');
  activities.time = c.optional<string>(m, ACTIVITIES, 'time', 'activities time');
  for (const k of ['key', 'type', 'time']) if (m.has(k)) positions.set(`activities.${k}`, c.pos(m.get(k)!.value));
  const d = m.get('date_order');
  const dateOrder = d && oneOf(c, d, ACTIVITIES, 'dmy reads 05/03/2026 as 5 March; mdy as May 3');
  if (dateOrder !== undefined) activities.dateOrder = dateOrder as Rules['activities']['dateOrder'];
  const tz = m.get('timezone');
  const timezone = tz && parseTimezone(c, tz);
  if (timezone !== undefined) activities.timezone = timezone;
  const ty = m.get('types');
  if (ty) parseTypes(c, ty, activities.types, signals);
  return { activities, signals };
}

function parseTimezone(c: Checker, e: Entry): string | undefined {
  const v = c.typed(e.value, shapeOf(ACTIVITIES, 'timezone'), `'timezone'`) as string | undefined;
  if (v === undefined) return undefined;
  if (v.toUpperCase() === 'UTC') return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return v;
  } catch {
    return c.error(e.value, `unknown timezone '${v}'`, 'use an IANA name such as Europe/Paris, or UTC');
  }
}

/** `types`: signal → raw labels, into `types` (label, case folded → signal); a label maps to one signal. */
function parseTypes(c: Checker, e: Entry, types: Map<string, string>, signals: Set<string>): void {
  for (const t of c.entries(e.value, `'types'`) ?? []) {
    const signal = snakeCase(t.key);
    if (signal === '') {
      c.error(t.keyNode, `signal name '${t.key}' has no letters or digits`);
      continue;
    }
    if (signal !== t.key) c.warn(t.keyNode, `signal '${t.key}' is used as '${signal}'`, `write it as ${signal}`);
    signals.add(signal);
    for (const label of c.scalars(t.value, `the labels of '${t.key}'`) ?? []) {
      const k = norm(String(label));
      const prev = types.get(k);
      if (prev !== undefined && prev !== signal) c.error(t.value, `label '${String(label)}' is mapped to both '${prev}' and '${signal}'`, 'a raw label maps to one signal');
      types.set(k, signal);
    }
  }
}

/** `fields`: friendly name → contact column. */
export function parseFields(c: Checker, section: Entry | undefined, positions: Positions): Map<string, string> {
  const fields = new Map<string, string>();
  if (!section) return fields;
  for (const e of c.entries(section.value, `'fields'`) ?? []) {
    const col = c.string(e.value, `the column of field '${e.key}'`);
    if (col !== undefined) fields.set(e.key, col);
    positions.set(`fields.${e.key}`, c.pos(e.value));
  }
  return fields;
}
