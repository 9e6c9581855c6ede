/** The report of `funnel test`: each case's expectations met or failed, and what the classifier gave. */

/** What a case got, in the words of the annotated columns. */
export interface Got {
  stage: string;
  score: number;
  fit: number;
  persona: string;
  contactable: string;
  content: string;
  action: string;
  reason: string;
  warnings: string[];
  /** With the replay (rules with an sla, or a case expecting sla or became_<stage>): funnel_sla and the stage dates. */
  sla?: string;
  became?: Record<string, string>;
}

export interface Failure {
  expectation: string;
  expected: string | number | string[];
  got: string | number;
}

export interface CaseResult {
  name: string;
  file: string;
  line: number;
  as_of: string;
  passed: boolean;
  failures: Failure[];
  got: Got;
}

export interface TestReport {
  rules: string;
  cases: CaseResult[];
  passed: number;
  failed: number;
}
