/**
 * What `--help` says beyond the options: each command's synopsis (what is required, what is optional) and
 * two or three real examples at the end; and usage errors that end by pointing to the command's help.
 */
import type { Command } from 'commander';

interface HelpText {
  usage: string;
  examples: string[];
}

export const HELP: Record<string, HelpText> = {
  classify: {
    usage: '<contacts...> [-a <activities...>] [-r <rules.yaml>] [-o <file> | --out-dir <dir>] [options]',
    examples: [
      'funnel classify contacts.csv -a activities.csv                     # funnel-out/ and the summary',
      'funnel classify contacts.csv -a acts.csv --previous last/contacts.csv --summary-file run.json --by "Lead Source"',
      'cat contacts.json | funnel classify - -a acts.ndjson -o - --format ndjson --summary none',
    ],
  },
  validate: {
    usage: '[rules.yaml] [--contacts <file>] [--activities <file>] [options]',
    examples: ['funnel validate                                   # the rules classify would use', 'funnel validate funnel.yaml --contacts contacts.csv --activities activities.csv'],
  },
  explain: {
    usage: '<contacts...> -a <activities...> --contact <key> [-r <rules.yaml>] [options]',
    examples: ['funnel explain contacts.csv -a activities.csv --contact ana@acme.example', 'funnel explain contacts.csv -a activities.csv --contact ana@acme.example --as-of 2026-11-01 --format json'],
  },
  summary: {
    usage: '<annotated> [-r <rules.yaml>] [--format table|json] [--by <field>] [options]',
    examples: ['funnel summary funnel-out/contacts.csv', 'funnel summary funnel-out/contacts.csv --by Country --format json'],
  },
  diff: {
    usage: '<before> <after> [--moved <file>] [--key <column>] [--format table|json] [options]',
    examples: ['funnel diff last/contacts.csv funnel-out/contacts.csv', 'funnel diff last/contacts.csv funnel-out/contacts.csv --moved - > moved.csv'],
  },
  sql: {
    usage: '[-r <rules.yaml>] [--dialect duckdb|postgres|bigquery] [--as-of <date>] [-o <file>] [options]',
    examples: ['funnel sql > funnel.sql', "funnel sql -r funnel.yaml --dialect postgres --contacts-table crm.contacts --activities-table crm.events --as-of '2026-11-15'"],
  },
  report: {
    usage: '<summary-or-history.json...> -o <report.html> [--title <text>]',
    examples: ['funnel report run.json -o report.html', 'funnel report runs/*.json history.json -o report.html --title "Pipeline, Q4"', 'funnel classify contacts.csv -a activities.csv --report report.html'],
  },
  init: {
    usage: '[path] [--force]',
    examples: ['funnel init                      # ./funnel.yaml', 'funnel init rules/funnel.yaml', 'funnel init - | less               # print the example rules'],
  },
  test: {
    usage: '[rules.yaml] [cases.yaml...] [--format text|json]',
    examples: ['funnel test                       # funnel.test.yaml beside the rules', 'funnel test funnel.yaml cases/*.yaml --format json'],
  },
  whatif: {
    usage: '<before-rules.yaml> <after-rules.yaml> <contacts...> -a <activities...> [options]',
    examples: ['funnel whatif funnel.yaml funnel.new.yaml contacts.csv -a activities.csv', 'funnel whatif funnel.yaml funnel.new.yaml contacts.csv -a activities.csv --as-of 2026-11-15'],
  },
  schema: {
    usage: '[options]',
    examples: ['funnel schema > funnel.schema.json', "funnel schema | jq '.properties | keys'"],
  },
  history: {
    usage: '<contacts...> -a <activities...> [-r <rules.yaml>] [--every week|month|quarter] [--since <date>] [options]',
    examples: ['funnel history contacts.csv -a activities.csv --every month', 'funnel history contacts.csv -a activities.csv --since 2026-01-01 --format json > history.json', 'funnel history contacts.csv -a activities.csv --by "Lead Source" --format csv -o history.csv'],
  },
  completion: {
    usage: 'bash|zsh|fish',
    examples: ['funnel completion bash > ~/.local/share/bash-completion/completions/funnel', 'funnel completion zsh > "${fpath[1]}/_funnel"', 'funnel completion fish > ~/.config/fish/completions/funnel.fish'],
  },
};

const PROGRAM_EXAMPLES = ['funnel init && funnel validate --contacts contacts.csv --activities activities.csv', 'funnel classify contacts.csv -a activities.csv', 'funnel classify contacts.csv -a activities.csv --summary-file run.json --summary none && funnel report run.json -o report.html'];

function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** The one-line form of a commander error, pointing to the help of the command it came from. */
export function usageLine(message: string, command: string | undefined): string {
  const text = message.trim().replace(/\n+/g, ' ');
  return `funnel: ${text}${command ? ` — see 'funnel ${command} --help'` : " — see 'funnel --help'"}\n`;
}

/**
 * Adds synopses and examples to every command registered so far (commands of other files included), and
 * makes each command's parse errors end with a pointer to its help.
 */
export function decorateHelp(program: Command): void {
  program.addHelpText('after', examples(PROGRAM_EXAMPLES));
  for (const cmd of program.commands) {
    const h = HELP[cmd.name()];
    if (h) {
      cmd.usage(h.usage);
      cmd.addHelpText('after', examples(h.examples));
    }
    cmd.configureOutput({ outputError: (s, write) => write(usageLine(s, cmd.name())) });
  }
  program.configureOutput({ outputError: (s, write) => write(usageLine(s, undefined)) });
}

/** The command a run is in, once commander has chosen it (for the pointer at the end of a usage error). */
export function trackCommand(program: Command): () => string | undefined {
  let current: string | undefined;
  program.hook('preAction', (_root, action) => {
    current = action.name();
  });
  return () => current;
}
