/**
 * CommonJS packages loaded with require(): synchronously, where first needed — a run that does not use one never
 * loads it — and without the cost of importing CommonJS as an ES module (Node's translator scans the source for
 * its exports: ~9 ms for regjsparser's one 78 KB file, against ~1 ms by require).
 */
import { createRequire } from 'node:module';

export const requireCjs = createRequire(import.meta.url);
