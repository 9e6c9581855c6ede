/**
 * The keys of the files funnel reads as code, declared once: the loaders check against these lists and
 * `funnel schema` generates its JSON Schema from them, so the two cannot drift apart.
 */

/** Keys of a cases file of `funnel test`. */
export const CASES_FILE_KEYS = ['as_of', 'cases'] as const;
export const CASE_KEYS = ['name', 'as_of', 'contact', 'activities', 'expect'] as const;
export const EVENT_KEYS = ['type', 'time'] as const;
export const EXPECT_KEYS = ['stage', 'contactable', 'fit', 'persona', 'score', 'content', 'action', 'reason_contains'] as const;
export type ExpectKey = (typeof EXPECT_KEYS)[number];

/** How close an expected score must be: the output column is rounded to one decimal. */
export const SCORE_TOLERANCE = 0.05;
