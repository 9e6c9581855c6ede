/** Colour is decided here, per stream, because chalk 5 ignores NO_COLOR on a terminal. */
import { Chalk, type ChalkInstance } from 'chalk';

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

export function chalkFor(inputs: ColorInputs): ChalkInstance {
  return new Chalk({ level: colorLevel(inputs) });
}
