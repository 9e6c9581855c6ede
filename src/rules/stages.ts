/**
 * The sections that place a contact: `disqualify` (checked first; the first rule that holds wins) and
 * `stages` (least to most mature), with their ids, conditions, texts and SLAs. What a stage or a rule leaves
 * out is filled here, once: a stage's label is its id, its content and action are empty, it needs consent; a
 * disqualified contact's content is `none` and its action `exclude`.
 */
import { isSeq, type Node } from 'yaml';
import { DURATION_HINT } from './duration.js';
import type { Checker, Entry, Timed } from './checker.js';
import { parseCond, type CondContext } from './conditions.js';
import { DISQUALIFIER, SLA, STAGE, keysOf, shapeOf } from './grammar.js';
import { DEFAULT_DISQUALIFY_ACTION, DEFAULT_DISQUALIFY_CONTENT, type Disqualifier, type Sla, type Stage } from './model.js';

const DISQUALIFY_KEYS = keysOf(DISQUALIFIER);
const STAGE_KEYS = keysOf(STAGE);
const SLA_KEYS = keysOf(SLA);
const STAGE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function parseDisqualify(cx: CondContext, section: Entry | undefined): Disqualifier[] {
  const disqualify: Disqualifier[] = [];
  const items = section && cx.c.list(section.value, `'disqualify' must be a list of { id: …, when: … }`);
  const ids = new Set<string>();
  for (const item of items ?? []) {
    const d = parseDisqualifier(cx, item, ids);
    if (d) disqualify.push(d);
  }
  return disqualify;
}

function parseDisqualifier(cx: CondContext, item: Node, ids: Set<string>): Disqualifier | undefined {
  const { c } = cx;
  const m = c.mapping(item, 'a disqualify rule', DISQUALIFY_KEYS);
  if (!m) return undefined;
  const id = c.optional<string>(m, DISQUALIFIER, 'id', 'disqualify id');
  if (!m.has('id')) c.error(item, `a disqualify rule needs an 'id'`, 'it is the reason shown in funnel_reason and the summary');
  if (id !== undefined && ids.has(id)) c.error(m.get('id')!.value, `duplicate disqualify id '${id}'`);
  if (id !== undefined) ids.add(id);
  const w = m.get('when');
  if (!w) c.error(item, `disqualify rule '${id ?? '?'}' needs 'when'`);
  cx.currentStage = undefined;
  const when = w ? parseCond(cx, w.value, 'disqualify', `disqualify rule '${id ?? '?'}'`) : undefined;
  const action = c.optional<string>(m, DISQUALIFIER, 'action', 'disqualify action') ?? DEFAULT_DISQUALIFY_ACTION;
  const content = c.optional<string>(m, DISQUALIFIER, 'content', 'disqualify content') ?? DEFAULT_DISQUALIFY_CONTENT;
  return id !== undefined && when ? { id, when, action, content } : undefined;
}

/** The `stages` section, and the node of each stage id (for `stage:` references). */
export function parseStages(cx: CondContext, section: Entry | undefined, root: Node | null): { stages: Stage[]; stageNodes: Map<string, Node | null> } {
  const { c } = cx;
  const stages: Stage[] = [];
  const stageNodes = new Map<string, Node | null>();
  if (!section) {
    c.error(root, `the rules have no 'stages'`, 'list the stages from least to most mature, e.g. suspect, lead, mql, sql, customer, advocate');
    return { stages, stageNodes };
  }
  const seq = c.resolve(section.value);
  if (!isSeq(seq) || seq.items.length === 0) {
    c.error(section.value ?? section.keyNode, `'stages' must be a non-empty list`);
    return { stages, stageNodes };
  }
  seq.items.forEach((item, i) => {
    const stage = parseStage(cx, item as Node, i, stageNodes);
    if (stage) stages.push(stage);
  });
  return { stages, stageNodes };
}

function parseStage(cx: CondContext, item: Node, i: number, stageNodes: Map<string, Node | null>): Stage | undefined {
  const { c } = cx;
  const m = c.mapping(item, 'a stage', STAGE_KEYS);
  if (!m) return undefined;
  const idE = m.get('id');
  const id = idE ? (c.typed(idE.value, shapeOf(STAGE, 'id'), 'stage id') as string | undefined) : c.error(item, `a stage needs an 'id'`);
  if (id !== undefined) {
    if (!STAGE_ID.test(id)) c.error(idE!.value, `stage id '${id}' must be letters, digits, - or _`, 'it names the output file <id>.csv');
    else if (id === 'disqualified') c.error(idE!.value, `'disqualified' is reserved`, 'disqualification is set by the disqualify rules');
    else if (stageNodes.has(id)) c.error(idE!.value, `duplicate stage id '${id}'`, 'each stage id must be unique');
    stageNodes.set(id, idE!.value);
  }
  const w = m.get('when');
  if (i === 0 && w) c.error(w.keyNode, `the first stage '${id ?? '?'}' has a 'when'`, 'the first stage is where every contact starts; remove its when');
  if (i > 0 && !w) c.warn(item, `stage '${id ?? '?'}' has no 'when', so every contact reaches it`, 'add a when, or remove the less mature stages');
  cx.currentStage = id;
  const when = w ? parseCond(cx, w.value, 'stage', `stage '${id ?? '?'}'`) : undefined;
  const nc = m.get('needs_consent');
  const needsConsent = nc ? (c.typed(nc.value, shapeOf(STAGE, 'needs_consent'), `'needs_consent'`) as boolean | undefined) : true;
  const slaEntry = m.get('sla');
  const sla = slaEntry ? parseSla(c, slaEntry, id ?? '?') : undefined;
  if (id === undefined || (w && !when) || (slaEntry && !sla)) return undefined;
  return {
    id,
    label: c.optional<string>(m, STAGE, 'label', 'stage label') ?? id,
    content: c.optional<string>(m, STAGE, 'content', 'stage content') ?? '',
    action: c.optional<string>(m, STAGE, 'action', 'stage action') ?? '',
    needsConsent: needsConsent ?? true,
    when,
    ...(sla ? { sla } : {}),
    pos: c.pos(item),
  };
}

/** A stage's `sla: { within: 14d, action: … }` (SPEC §7): both keys needed, the window longer than zero. */
function parseSla(c: Checker, e: Entry, stage: string): Sla | undefined {
  const where = `the sla of stage '${stage}'`;
  const m = c.mapping(e.value, where, SLA_KEYS);
  if (!m) return undefined;
  const w = m.get('within');
  const a = m.get('action');
  if (!w) c.error(e.value, `${where} needs 'within'`, 'how long a contact may stay at the stage, e.g. within: 14d');
  if (!a) c.error(e.value, `${where} needs 'action'`, 'what to do with an overdue contact, e.g. action: "escalate: untouched for 14 days"');
  const within = w ? (c.typed(w.value, shapeOf(SLA, 'within'), `'within'`) as Timed | undefined) : undefined;
  if (within && within.ms <= 0) return c.error(w!.value, `an sla's within must be longer than zero`, DURATION_HINT);
  const action = a ? (c.typed(a.value, shapeOf(SLA, 'action'), `the sla action`) as string | undefined) : undefined;
  return within && action !== undefined ? { withinMs: within.ms, within: within.text, action } : undefined;
}
