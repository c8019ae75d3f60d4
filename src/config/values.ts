/**
 * Parsers for the values of flags and action inputs, shared by the CLI and the action so both refuse the same
 * things with the same words. `name` is how the user wrote it: `--rate` or `input rate`.
 */

import { UsageError } from '../util/errors.js';
import type { Config } from './schema.js';

/** The endpoints the tables of `audit.tables` are filled by, in table order. */
export function fillableEndpoints(config: Config): string[] {
  return Object.values(config.audit.tables)
    .map((t) => t.endpoint)
    .filter((e): e is string => !!e);
}

/** An endpoint a fill can call: a per-game endpoint of the config that a table in audit.tables is filled by. */
export function fillableEndpoint(value: string, config: Config, name = '--endpoint'): string {
  const fillable = fillableEndpoints(config);
  if (!fillable.includes(value) || config.endpoints[value]?.type !== 'game_fanout') {
    throw new UsageError(
      `${name}: "${value}" is not a per-game endpoint a table is filled by; use one of ${fillable.join(', ')}`,
    );
  }
  return value;
}

/** A number above 0 and at most `max`. */
export function positiveNumber(value: string, name: string, max: number): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > max) {
    throw new UsageError(
      `${name}: expected a number above 0 and at most ${max} (the config's limit), got "${value}"`,
    );
  }
  return n;
}

/** A whole number from 0. */
export function nonNegativeInt(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${name}: expected a whole number, got "${value}"`);
  return Number(value);
}

/** A whole number from 1 to `max`. */
export function positiveInt(value: string, name: string, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${name}: expected a whole number from 1 to ${max}, got "${value}"`);
  }
  return Number(value);
}

/** `true`/`false` as Actions passes booleans (also `yes`/`no`, `1`/`0`, empty = `fallback`). */
export function booleanValue(value: string, name: string, fallback = false): boolean {
  const v = value.trim().toLowerCase();
  if (v === '') return fallback;
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  throw new UsageError(`${name}: expected true or false, got "${value}"`);
}
