/**
 * The files funnel reads as code, declared once as data: the keys each part allows, the type of each value, the
 * operators and their arguments, the duration units. The loaders (load.ts, cases.ts) check against these
 * declarations and `funnel schema` generates its JSON Schema from them (schema.ts), so a key added here is one the
 * loader accepts and the editor completes. Descriptions follow the README's rules reference.
 */
import { DURATION_UNITS } from './duration.js';
// The defaults the loader fills, named in the descriptions by the same constants.
import { DEFAULT_CONSENT_ACTION, DEFAULT_DISQUALIFY_ACTION, DEFAULT_DISQUALIFY_CONTENT } from './model.js';

export type Shape =
  | { type: 'text'; desc?: string; enum?: readonly string[] }
  | { type: 'number'; desc?: string; integer?: boolean; min?: number }
  | { type: 'boolean'; desc?: string }
  /** Text, a number or true/false; `empty`: also nothing at all (`key:` with no value, read as empty). */
  | { type: 'scalar'; desc?: string; empty?: boolean }
  /** One value, or a non-empty list of values. */
  | { type: 'scalars'; desc?: string }
  | { type: 'duration'; desc?: string }
  /** `also`: words allowed besides a date (`never`). */
  | { type: 'date'; desc?: string; also?: readonly string[] }
  | { type: 'number-or-date'; desc?: string }
  | { type: 'version'; desc?: string }
  /** `patterns`: keys made of a prefix and a name (`became_<stage>`), by the regular expression they match. */
  | { type: 'map'; desc?: string; keys: Readonly<Record<string, Shape>>; required?: readonly string[]; patterns?: Readonly<Record<string, Shape>> }
  /** Keys chosen by the user (friendly names, signals), each with a value of one shape. */
  | { type: 'dict'; desc?: string; values: Shape }
  | { type: 'list'; desc?: string; items: Shape; minItems?: number; first?: { forbids: string; desc: string } }
  /** N, or a mapping of comparisons. */
  | { type: 'count'; desc?: string }
  /** A mapping of numeric comparisons. */
  | { type: 'comparison'; desc?: string }
  | { type: 'condition'; desc?: string };

const text = (desc: string, values?: readonly string[]): Shape => ({ type: 'text', desc, ...(values ? { enum: values } : {}) });
const condition = (desc: string): Shape => ({ type: 'condition', desc });
/** A mapping of the keys given, `required` ones among them. */
const map = (desc: string, keys: Readonly<Record<string, Shape>>, required?: readonly string[]): Shape => ({ type: 'map', desc, keys, ...(required ? { required } : {}) });

export const DURATION_DESC = `a number and a unit: ${Object.keys(DURATION_UNITS).join(', ')} (mo = 30 days, y = 365 days), e.g. 90d`;

/** The bounds of an activity condition's `count` mapping. */
export const COUNT_KEYS = ['gte', 'lte'] as const;

/** Numeric comparisons of `score` and `fit`. */
export const NUM_OPS = ['gt', 'gte', 'lt', 'lte', 'equals', 'not_equals'] as const;

/** Operators of a `field` condition and the value each takes. */
export const FIELD_OPS: Readonly<Record<string, Shape>> = {
  equals: { type: 'scalar', desc: 'the value equals this (trimmed, ignoring case)' },
  not_equals: { type: 'scalar', desc: 'the value is not this; also holds for a missing value' },
  in: { type: 'scalars', desc: 'the value is one of these' },
  not_in: { type: 'scalars', desc: 'the value is none of these; also holds for a missing value' },
  contains: { type: 'scalar', desc: 'the value contains this text' },
  matches: text('a regular expression the value matches (case-insensitive)'),
  present: { type: 'boolean', desc: 'true: the field has a value; false: it is missing or empty' },
  gt: { type: 'number-or-date', desc: 'greater than (numbers; dates when the value is a date)' },
  gte: { type: 'number-or-date', desc: 'greater than or equal' },
  lt: { type: 'number-or-date', desc: 'less than' },
  lte: { type: 'number-or-date', desc: 'less than or equal' },
  before: { type: 'date', desc: 'a date strictly before this one' },
  after: { type: 'date', desc: 'a date strictly after this one' },
  within: { type: 'duration', desc: `a date within this window before as-of: ${DURATION_DESC}` },
  domain_in: { type: 'scalars', desc: 'the email domain is one of these (subdomains included)' },
};

/** Keys of an `activity` condition besides `activity`. */
export const ACTIVITY_OPTIONS: Readonly<Record<string, Shape>> = {
  within: { type: 'duration', desc: `only events within this window before as-of (its edge included): ${DURATION_DESC}` },
  since: { type: 'date', desc: 'only events on or after this date' },
  count: { type: 'count', desc: 'at least N events (default 1), or { gte: N, lte: M }' },
};

/** Condition kinds: the key a condition starts with, the value it takes, the other keys it allows. */
export const CONDITION_KINDS: Readonly<Record<string, { value: Shape; options?: Readonly<Record<string, Shape>>; desc: string }>> = {
  all: { value: { type: 'list', items: condition('a condition'), minItems: 1 }, desc: 'every condition of the list holds' },
  any: { value: { type: 'list', items: condition('a condition'), minItems: 1 }, desc: 'at least one condition of the list holds' },
  not: { value: condition('the condition that must not hold'), desc: 'the condition does not hold' },
  field: { value: text('a friendly name from fields, or a column'), options: FIELD_OPS, desc: 'a contact field compared with one or more operators, all of which must hold' },
  activity: { value: { type: 'scalars', desc: 'a signal or a list of signals' }, options: ACTIVITY_OPTIONS, desc: 'the contact has events of these signals' },
  score: { value: { type: 'comparison', desc: 'e.g. { gte: 30 }' }, desc: 'the engagement score (unrounded)' },
  fit: { value: { type: 'comparison', desc: 'e.g. { gte: 30 }' }, desc: 'the fit points (unrounded)' },
  persona: { value: { type: 'boolean' }, desc: 'the persona condition holds (true) or not (false)' },
  consent: { value: { type: 'boolean' }, desc: 'the contact is contactable (true) or not (false)' },
  stage: { value: text("a stage id"), desc: "that stage's when holds (in stages and disqualify rules)" },
};

export const CONTACTS = map('how contacts are keyed', {
  key: text('the column joining contacts and activities; absent: the column whose values look like emails'),
  normalize: text('email: trim and lowercase keys (default); exact: keep them as they are', ['email', 'exact']),
  created: text("a date column: when the contact was created; a field condition holds from then in the replay of stage dates (else from the contact's first dated event)"),
});

export const ACTIVITIES = map('the columns of the activity exports and how their labels map to signals', {
  key: text('the column holding the contact key (default: contacts.key)'),
  type: text('the column naming the event'),
  time: text('the column holding when it happened'),
  date_order: text('how to read slash dates such as 05/03/2026: auto (decided per file), dmy or mdy', ['auto', 'dmy', 'mdy']),
  timezone: text('for times written without an offset: an IANA name such as Europe/Paris, or UTC'),
  types: { type: 'dict', desc: 'signal name → raw labels (case-insensitive); an unmapped label becomes its snake_case form', values: { type: 'scalars', desc: 'the raw labels of this signal' } },
});

export const FIT_RULE = map('fit points given when the condition holds', { when: condition('the condition (persona and consent cannot be used here)'), points: { type: 'number', desc: 'the fit points' } }, ['when', 'points']);

export const SCORING = map('engagement points of events, and fit points of contacts', {
  half_life: { type: 'duration', desc: `engagement points decay: points × 0.5^(age / half_life); absent: no decay. ${DURATION_DESC}` },
  points: { type: 'dict', desc: 'engagement points per event of a signal', values: { type: 'number', desc: 'points per event' } },
  fit: { type: 'list', desc: 'fit points from contact fields', items: FIT_RULE },
});

export const CONSENT = map('when a contact may receive marketing email; without it every contact is contactable', {
  when: condition('the condition of an opt-in'),
  action: text(`the action of a contact without consent at a stage that needs it (default: ${DEFAULT_CONSENT_ACTION})`),
}, ['when']);

export const DISQUALIFIER = map('a disqualify rule; the first that holds wins', {
  id: text('the reason shown in funnel_reason and the summary'),
  when: condition('the condition that disqualifies'),
  action: text(`the action of a disqualified contact (default: ${DEFAULT_DISQUALIFY_ACTION})`),
  content: text(`the content of a disqualified contact (default: ${DEFAULT_DISQUALIFY_CONTENT})`),
}, ['id', 'when']);

export const SLA = map('a contact at this stage for longer than within is overdue: funnel_sla is overdue and funnel_action the sla action (rules with an sla imply --stage-dates)', {
  within: { type: 'duration', desc: `how long a contact may stay at the stage: ${DURATION_DESC}` },
  action: text('the action of an overdue contact, e.g. "escalate: MQL untouched for 14 days"'),
}, ['within', 'action']);

export const STAGE = map('a funnel stage', {
  id: text('the stage id: letters, digits, - or _ (it names the output file <id>.csv)'),
  label: text('a display name (default: the id)'),
  content: text('the content type to send at this stage'),
  action: text('the next action at this stage'),
  needs_consent: { type: 'boolean', desc: 'a contact without consent gets the consent action instead (default true)' },
  when: condition('the condition of this stage; the most mature stage whose condition holds wins'),
  sla: SLA,
}, ['id']);

export const RULES_FILE = map('funnel rules: where every contact stands in the buying journey, and why', {
  version: { type: 'version', desc: 'the rules language version: 1' },
  contacts: CONTACTS,
  activities: ACTIVITIES,
  fields: { type: 'dict', desc: 'friendly names for contact columns, used in conditions', values: text('the contact column') },
  scoring: SCORING,
  persona: condition('the buyer persona; without it every contact fits'),
  consent: CONSENT,
  disqualify: { type: 'list', desc: 'checked first; the first rule that holds wins and the contact is disqualified', items: DISQUALIFIER },
  stages: {
    type: 'list',
    desc: 'from least to most mature; a contact gets the most mature stage whose when holds',
    items: STAGE,
    minItems: 1,
    first: { forbids: 'when', desc: 'the first stage is where every contact starts: it has no when' },
  },
  allow_regression: { type: 'boolean', desc: 'with --previous, false (default): a contact never moves back to a less mature stage' },
}, ['stages']);

/** The keys of a map shape. */
export function keysOf(shape: Shape): string[] {
  if (shape.type !== 'map') throw new Error(`not a map shape: ${shape.type}`);
  return Object.keys(shape.keys);
}

/** The shape of key `k` of a map shape. */
export function shapeOf(shape: Shape, k: string): Shape {
  if (shape.type !== 'map' || !(k in shape.keys)) throw new Error(`no key ${k}`);
  return shape.keys[k]!;
}

// The cases file of `funnel test`.
export const EXPECT_KEYS = ['stage', 'contactable', 'fit', 'persona', 'score', 'content', 'action', 'reason_contains', 'sla'] as const;
export type ExpectKey = (typeof EXPECT_KEYS)[number] | `became_${string}`;
/** `became_<stage>`: when the replay of SPEC §7 first put the contact at that stage or a more mature one. */
export const BECAME_PREFIX = 'became_';
export const BECAME_PATTERN = '^became_[A-Za-z0-9][A-Za-z0-9_-]*$';
/** The values of an `sla` expectation; `none` (or empty) for a stage without an SLA. */
export const SLA_STATES = ['ok', 'overdue', 'none'] as const;

const yesNo: Shape = { type: 'text', desc: 'yes or no', enum: ['yes', 'no', 'true', 'false'] };

export const EXPECT: Shape = {
  type: 'map',
  desc: 'what the rules must make of the contact',
  keys: {
    stage: text('the stage id, or disqualified'),
    contactable: yesNo,
    fit: { type: 'number', desc: 'the fit points' },
    persona: yesNo,
    score: { type: 'number', desc: 'the engagement score, within ±0.05' },
    content: { type: 'scalar', empty: true, desc: 'the content of the stage' },
    action: { type: 'scalar', empty: true, desc: 'the action, as funnel_action writes it (the consent action included)' },
    reason_contains: { type: 'scalars', desc: 'a text, or texts, that funnel_reason must contain (ignoring case)' },
    sla: { type: 'text', desc: 'ok, overdue, or none for a stage without an sla (as funnel_sla)', enum: [...SLA_STATES, ''] },
  },
  patterns: { [BECAME_PATTERN]: { type: 'date', also: ['never', ''], desc: 'when the contact first reached that stage or a more mature one: a date (its day in the rules timezone) or a time; never for a stage not reached' } },
};

export const EVENT = map('an activity of the contact', {
  type: text('a raw label of your exports, or a signal'),
  time: text('when: any date the data rules read; absent: an undated event'),
}, ['type']);

export const CASE = map('one contact, its activities and what the rules must make of it', {
  name: text('what the case shows'),
  as_of: { type: 'date', desc: "the reference time of this case (default: the file's as_of)" },
  contact: { type: 'dict', desc: 'the fields the case needs (columns the rules read, or friendly names); the others are empty', values: { type: 'scalar', empty: true } },
  activities: { type: 'list', desc: 'the events of the contact', items: EVENT },
  expect: EXPECT,
}, ['expect']);

export const CASES_FILE = map('funnel test cases', {
  as_of: { type: 'date', desc: 'the reference time of every case, unless a case sets its own (default: now)' },
  cases: { type: 'list', desc: 'the cases', items: CASE, minItems: 1 },
}, ['cases']);

export const CASES_FILE_KEYS = keysOf(CASES_FILE);
export const CASE_KEYS = keysOf(CASE);
export const EVENT_KEYS = keysOf(EVENT);

/** How close an expected score must be: the output column is rounded to one decimal. */
export const SCORE_TOLERANCE = 0.05;
