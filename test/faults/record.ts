import { appendFileSync } from 'node:fs';

/** One scenario's figures for the reliability report. */
export interface ReliabilityFigures {
  /** Scenarios (fault mixes) run. */
  cases: number;
  /** Seeds each case ran with. */
  seeds: number;
  /** Requests answered with a fault, over all runs. */
  faultsInjected: number;
  /** Runs of the bot under faults. */
  runs: number;
  /** Runs that ended with a result saying what happened (exit 0, or 1 naming what failed), not a hang or crash. */
  survived: number;
  /** Games missing or duplicated after the final run, partial objects, `done` checkpoints without silver. */
  dataLost: number;
  /** Figures particular to a scenario (extra API calls, stalls the client's own timeout ended, …). */
  extra?: Record<string, number | string | boolean>;
}

/** Appends one JSON line to `CBBD_RELIABILITY_OUT` when it is set; does nothing otherwise. */
export function recordReliability(suite: string, figures: ReliabilityFigures): void {
  const file = process.env.CBBD_RELIABILITY_OUT;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ suite, ...figures, at: new Date().toISOString() })}\n`);
}

/** The seeds a fault scenario runs with: `CBBD_FAULT_SEEDS` of them (default 2), 1, 2, 3, … */
export function faultSeeds(): number[] {
  return Array.from({ length: countFromEnv('CBBD_FAULT_SEEDS', 2) }, (_, i) => i + 1);
}

/** A whole number ≥ 1 from the environment, or `fallback`; anything else stops the suite with the variable named. */
export function countFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1, got "${raw}"`);
  return n;
}

/** What one seed of a scenario adds to its figures. */
export type SeedFigures = Pick<ReliabilityFigures, 'faultsInjected' | 'runs' | 'survived' | 'dataLost'>;

/** The figures of a scenario's seeds, added up. */
export function addUp(seeds: readonly SeedFigures[]): SeedFigures {
  const total = { faultsInjected: 0, runs: 0, survived: 0, dataLost: 0 };
  for (const s of seeds) {
    total.faultsInjected += s.faultsInjected;
    total.runs += s.runs;
    total.survived += s.survived;
    total.dataLost += s.dataLost;
  }
  return total;
}
