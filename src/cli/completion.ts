/**
 * `funnel completion bash|zsh|fish`: a completion script made from the program's own commands and options,
 * so it never lags behind them. Values with choices (`--format csv|json|ndjson`) complete to the choices,
 * other values and arguments to file names.
 */
import type { Command, Option } from 'commander';
import { UsageError } from '../errors.js';

interface Opt {
  long?: string;
  short?: string;
  takesValue: boolean;
  choices?: readonly string[];
  description: string;
}

interface Cmd {
  name: string;
  description: string;
  options: Opt[];
}

function optOf(o: Option): Opt {
  return { long: o.long, short: o.short, takesValue: o.required || o.optional, choices: o.argChoices, description: o.description };
}

function model(program: Command): { commands: Cmd[]; globals: Opt[] } {
  const visible = (o: Option): boolean => !o.hidden;
  const commands = program.commands
    .filter((c) => c.name() !== 'help')
    .map((c) => ({ name: c.name(), description: c.description(), options: [...c.options.filter(visible).map(optOf), { long: '--help', short: '-h', takesValue: false, description: 'display help' }] }));
  return { commands, globals: [...program.options.filter(visible).map(optOf), { long: '--help', short: '-h', takesValue: false, description: 'display help' }] };
}

const flags = (o: Opt): string[] => [o.short, o.long].filter((x): x is string => !!x);
/** Text safe inside single quotes in every shell, and inside zsh's [description] and fish's -d. */
const plain = (s: string): string => s.replace(/['\\[\]:$`"]/g, '').replace(/\s+/g, ' ').trim().slice(0, 80);

function bashCase(c: Cmd): string {
  const valued = c.options.filter((o) => o.takesValue);
  const choices = valued.filter((o) => o.choices).map((o) => `        ${flags(o).join('|')}) COMPREPLY=( $(compgen -W '${o.choices!.join(' ')}' -- "$cur") ); return ;;`);
  const files = valued.filter((o) => !o.choices).flatMap(flags);
  return [
    `    ${c.name})`,
    ...(choices.length || files.length ? ['      case "$prev" in', ...choices, ...(files.length ? [`        ${files.join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;`] : []), '      esac'] : []),
    `      opts='${c.options.flatMap(flags).join(' ')}' ;;`,
  ].join('\n');
}

function bash(m: ReturnType<typeof model>): string {
  return `# funnel completion for bash: source it, or save it as ~/.local/share/bash-completion/completions/funnel
_funnel() {
  local cur prev cmd opts w
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$w" in -*) ;; *) cmd="$w"; break ;; esac
  done
  if [ -z "$cmd" ]; then
    COMPREPLY=( $(compgen -W '${m.commands.map((c) => c.name).join(' ')} ${m.globals.flatMap(flags).join(' ')}' -- "$cur") )
    return
  fi
  case "$cmd" in
${m.commands.map(bashCase).join('\n')}
    *) opts='' ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o filenames -F _funnel funnel
`;
}

function zshSpec(o: Opt): string[] {
  const value = o.takesValue ? (o.choices ? `:value:(${o.choices.join(' ')})` : ':file:_files') : '';
  return flags(o).map((f) => `'${f}[${plain(o.description)}]${value}'`);
}

function zsh(m: ReturnType<typeof model>): string {
  const cmds = m.commands.map((c) => `    '${c.name}:${plain(c.description)}'`).join('\n');
  const cases = m.commands.map((c) => `    ${c.name})\n      _arguments -s ${c.options.flatMap(zshSpec).join(' ')} '*:file:_files' ;;`).join('\n');
  return `#compdef funnel
# funnel completion for zsh: save it as _funnel in a folder of $fpath (e.g. "\${fpath[1]}/_funnel")
_funnel() {
  local -a commands
  commands=(
${cmds}
  )
  local i=2
  while (( i < CURRENT )) && [[ $words[i] == -* ]]; do (( i++ )); done
  if (( CURRENT == i )); then
    _describe 'command' commands
    _arguments -s ${m.globals.flatMap(zshSpec).join(' ')}
    return
  fi
  case $words[i] in
${cases}
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _funnel "$@"; else compdef _funnel funnel; fi
`;
}

function fish(m: ReturnType<typeof model>): string {
  const line = (cond: string, o: Opt): string => {
    const parts = [`complete -c funnel -n '${cond}'`];
    if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
    if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
    if (o.takesValue) parts.push(o.choices ? `-x -a '${o.choices.join(' ')}'` : '-r -F');
    parts.push(`-d '${plain(o.description)}'`);
    return parts.join(' ');
  };
  const names = m.commands.map((c) => c.name).join(' ');
  return [
    '# funnel completion for fish: save it as ~/.config/fish/completions/funnel.fish',
    'complete -c funnel -f',
    ...m.commands.map((c) => `complete -c funnel -n '__fish_use_subcommand' -a ${c.name} -d '${plain(c.description)}'`),
    ...m.globals.map((o) => line('__fish_use_subcommand', o)),
    ...m.commands.flatMap((c) => [`complete -c funnel -n '__fish_seen_subcommand_from ${c.name}' -F`, ...c.options.map((o) => line(`__fish_seen_subcommand_from ${c.name}`, o))]),
    `# commands: ${names}`,
    '',
  ].join('\n');
}

export function completionScript(program: Command, shell: string): string {
  const m = model(program);
  if (shell === 'bash') return bash(m);
  if (shell === 'zsh') return zsh(m);
  if (shell === 'fish') return fish(m);
  throw new UsageError(`no completion for the shell '${shell}'`, {}, 'give bash, zsh or fish');
}
