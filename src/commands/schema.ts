/** `funnel schema`: the JSON Schema of the rules file (or, with --cases, of a cases file), for editors and CI. */
import { casesSchema, rulesSchema } from '../rules/schema.js';

export const SCHEMA_FILE = 'funnel.schema.json';
export const CASES_SCHEMA_FILE = 'funnel.test.schema.json';

export function schemaText(kind: 'rules' | 'cases'): string {
  return `${JSON.stringify(kind === 'rules' ? rulesSchema() : casesSchema(), null, 2)}\n`;
}

/** The first line that tells yaml-language-server (VS Code's YAML extension and others) which schema a file follows. */
export function schemaComment(file: string): string {
  return `# yaml-language-server: $schema=./${file}\n`;
}
