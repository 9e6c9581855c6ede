/**
 * Colour is decided here, per stream, because chalk 5 ignores NO_COLOR on a terminal. Without colour (a pipe, a
 * file, cron) chalk is not even loaded (~7 ms of a short run): the plain style below does what chalk does at
 * level 0. main() loads chalk first when a stream may be coloured (loadColour).
 */
import type { ChalkInstance } from 'chalk';

export interface ColorInputs {
  isTTY: boolean;
  noColorFlag: boolean;
  env: NodeJS.ProcessEnv;
}

export function colorLevel({ isTTY, noColorFlag, env }: ColorInputs): 0 | 1 | 2 | 3 {
  if (noColorFlag) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return n >= 1 && n <= 3 ? (n as 1 | 2 | 3) : 1;
  }
  if (!isTTY || env.TERM === 'dumb') return 0;
  return 1;
}

let chalkLib: typeof import('chalk') | undefined;

/** Loads chalk if either stream may be coloured (before --no-color is known: at worst loaded for nothing). */
export async function loadColour(streams: readonly { isTTY?: boolean }[], env: NodeJS.ProcessEnv): Promise<void> {
  if (!chalkLib && streams.some((s) => colorLevel({ isTTY: !!s.isTTY, noColorFlag: false, env }) > 0)) chalkLib = await import('chalk');
}

/** chalk's colour models, which make a style rather than text. */
const MODELS = new Set(['rgb', 'hex', 'ansi256', 'bgRgb', 'bgHex', 'bgAnsi256']);

type Plain = 'root' | 'style' | 'hidden';

/**
 * chalk at level 0, every style chain alike: the root call joins its arguments (`chalk(undefined)` is ''), a style
 * writes one argument as a string (`chalk.red(undefined)` is 'undefined') and joins several; after `visible`, nothing.
 */
function plainStyle(kind: Plain): ChalkInstance {
  const text = (...parts: unknown[]): string => (kind === 'hidden' ? '' : kind === 'style' && parts.length === 1 ? `${parts[0]}` : parts.join(' '));
  const after = (key: string | symbol): ChalkInstance => (kind === 'hidden' || key === 'visible' ? hidden : styled);
  return new Proxy(text, {
    get: (_t, key) => (key === 'level' ? 0 : typeof key === 'string' && MODELS.has(key) ? () => after(key) : after(key)),
  }) as unknown as ChalkInstance;
}

const hidden = plainStyle('hidden');
const styled = plainStyle('style');
const PLAIN = plainStyle('root');

export function chalkFor(inputs: ColorInputs): ChalkInstance {
  const level = colorLevel(inputs);
  if (level === 0) return PLAIN;
  if (!chalkLib) throw new Error('colour asked for before loadColour()');
  return new chalkLib.Chalk({ level });
}
