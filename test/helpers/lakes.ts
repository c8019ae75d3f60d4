import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import {
  DEMO_SEED,
  generateDemoLake,
  type DemoLakeManifest,
  type DemoLakeOptions,
  type GapPlan,
} from '../../src/demo/generate-lake.js';
import { createFsStore } from '../../src/lake/fs-store.js';
import type { ObjectStore } from '../../src/lake/object-store.js';
import type { LeagueOptions } from '../fakes/cbbd-api-league.js';

/** The shipped config, parsed. */
export function shippedConfig(): Config {
  return parseConfig(DEFAULT_CONFIG_YAML, 'config.yaml').config;
}

/** Small lakes for tests: five seasons (two before lineups exist), 24 games each, 40–60 plays a game. */
export const SMALL_LAKE: DemoLakeOptions = {
  seasons: [2022, 2023, 2024, 2025, 2026],
  gamesPerSeason: 24,
  playsPerGame: [40, 60],
  gaps: { missingShare: { fct_plays: 0.15, fct_substitutions: 0.15, fct_lineups: 0.15 }, emptyShare: 0.3 },
};

/** A temporary directory lake, generated, with its manifest and a cleanup. */
export async function tempLake(options: DemoLakeOptions = SMALL_LAKE): Promise<{
  root: string;
  store: ObjectStore;
  manifest: DemoLakeManifest;
  cleanup(): Promise<void>;
}> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cbbd-lake-'));
  const store = createFsStore(root);
  const manifest = await generateDemoLake(store, options);
  return { root, store, manifest, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** A gap plan of only what a test names: no empties, duplicates, corrupt files, stray, asof or uncatalogued partitions. */
export function onlyGaps(gaps: Partial<GapPlan>): GapPlan {
  return {
    missingShare: { fct_plays: 0, fct_substitutions: 0, fct_lineups: 0 },
    emptyShare: 0,
    asofSeason: undefined,
    duplicateGames: 0,
    corruptFiles: 0,
    strayPartition: false,
    uncataloguedPartitions: 0,
    ...gaps,
  };
}

/** Only plays missing, from `share` of each season's games. */
export const missingPlays = (share: number): GapPlan =>
  onlyGaps({ missingShare: { fct_plays: share, fct_substitutions: 0, fct_lineups: 0 } });

/** The fake API's league for a generated lake: its seed, seasons, games and plays, so the API serves the lake's games. */
export function leagueOf(
  lake: DemoLakeOptions & Required<Pick<DemoLakeOptions, 'seasons' | 'gamesPerSeason'>>,
): LeagueOptions {
  const { seed = DEMO_SEED, seasons, gamesPerSeason, playsPerGame } = lake;
  return { seed, seasons, gamesPerSeason, playsPerGame };
}
