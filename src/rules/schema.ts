/**
 * The JSON Schema (draft 2020-12) of the rules file and of the cases file, generated from the declarations the
 * loaders check with (grammar.ts): a key or operator added there is completed by editors without another edit.
 * The schema says what is structural — keys, types, operators, durations, enumerations, the first stage without
 * `when`; what needs the whole file (stage references, cycles, duplicate ids) only `funnel validate` tells.
 */
import { DURATION_PATTERN } from './duration.js';
import { CASES_FILE, CONDITION_KINDS, COUNT_KEYS, NUM_OPS, RULES_FILE, type Shape } from './grammar.js';

export type JsonSchema = { [k: string]: unknown };

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

function described(schema: JsonSchema, desc: string | undefined): JsonSchema {
  return desc ? { description: desc, ...schema } : schema;
}

const scalar: JsonSchema = { type: ['string', 'number', 'boolean'] };
/** Every date the data rules read starts with a digit (2026-01-01, 05/03/2026, 5.3.2026, epoch seconds). */
const dateText: JsonSchema = { type: 'string', pattern: '^\\s*\\d', description: 'a date, e.g. 2026-01-01' };
const wholeNumber: JsonSchema = { type: 'integer', minimum: 0 };

function toSchema(shape: Shape): JsonSchema {
  switch (shape.type) {
    case 'text':
      // As the loader reads it: a number or true/false written for a text is that text.
      return described(shape.enum ? { type: 'string', enum: [...shape.enum] } : scalar, shape.desc);
    case 'number':
      return described({ type: shape.integer ? 'integer' : 'number', ...(shape.min !== undefined ? { minimum: shape.min } : {}) }, shape.desc);
    case 'boolean':
      return described({ type: 'boolean' }, shape.desc);
    case 'scalar':
      return described(shape.empty ? { type: ['string', 'number', 'boolean', 'null'] } : scalar, shape.desc);
    case 'scalars':
      return described({ anyOf: [scalar, { type: 'array', items: scalar, minItems: 1 }] }, shape.desc);
    case 'duration':
      return described({ type: 'string', pattern: DURATION_PATTERN }, shape.desc);
    case 'date':
      return described({ anyOf: [{ type: 'number' }, dateText, ...(shape.also ? [{ enum: [...shape.also] }] : [])] }, shape.desc);
    case 'number-or-date':
      return described({ anyOf: [{ type: 'number' }, dateText] }, shape.desc);
    case 'version':
      return described({ enum: [1, '1'] }, shape.desc);
    case 'map':
      return described(
        {
          type: 'object',
          properties: Object.fromEntries(Object.entries(shape.keys).map(([k, v]) => [k, toSchema(v)])),
          ...(shape.required?.length ? { required: [...shape.required] } : {}),
          ...(shape.patterns ? { patternProperties: Object.fromEntries(Object.entries(shape.patterns).map(([k, v]) => [k, toSchema(v)])) } : {}),
          additionalProperties: false,
        },
        shape.desc,
      );
    case 'dict':
      return described({ type: 'object', additionalProperties: toSchema(shape.values) }, shape.desc);
    case 'list': {
      const items = toSchema(shape.items);
      const first = shape.first ? { prefixItems: [{ allOf: [items, { not: { type: 'object', required: [shape.first.forbids] }, description: shape.first.desc }] }] } : {};
      return described({ type: 'array', ...first, items, ...(shape.minItems ? { minItems: shape.minItems } : {}) }, shape.desc);
    }
    case 'count':
      return described({ anyOf: [wholeNumber, { type: 'object', properties: Object.fromEntries(COUNT_KEYS.map((k) => [k, wholeNumber])), additionalProperties: false }] }, shape.desc);
    case 'comparison':
      return described({ type: 'object', properties: Object.fromEntries(NUM_OPS.map((k) => [k, { type: 'number' }])), minProperties: 1, additionalProperties: false }, shape.desc);
    case 'condition':
      return described({ $ref: '#/$defs/condition' }, shape.desc);
  }
}

/** A condition: exactly one kind key, with the options of that kind. */
function conditionSchema(): JsonSchema {
  return {
    description: 'a condition: all, any, not, or one atom (field, activity, score, fit, persona, consent, stage)',
    anyOf: Object.entries(CONDITION_KINDS).map(([kind, k]) => ({
      type: 'object',
      description: k.desc,
      properties: { [kind]: toSchema(k.value), ...Object.fromEntries(Object.entries(k.options ?? {}).map(([o, s]) => [o, toSchema(s)])) },
      required: [kind],
      additionalProperties: false,
    })),
  };
}

/** The schema of the rules file. */
export function rulesSchema(): JsonSchema {
  return { $schema: DRAFT, title: 'funnel rules', ...toSchema(RULES_FILE), $defs: { condition: conditionSchema() } };
}

/** The schema of a cases file of `funnel test`. */
export function casesSchema(): JsonSchema {
  return { $schema: DRAFT, title: 'funnel test cases', ...toSchema(CASES_FILE) };
}
