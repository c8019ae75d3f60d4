import { existsSync } from 'node:fs';
import type { EngineName } from '../commands/ports.js';
import { DEFAULT_CONFIG_YAML } from '../config/default-config.js';
import { loadConfigFile, parseConfig, type LoadedConfig } from '../config/load.js';
import { parseSeasonSpec } from '../config/seasons.js';
import { parseLakeUri, type LakeLocation } from '../lake/lake-uri.js';
import { UsageError } from '../util/errors.js';

/** Reads one input as the runner passes it (`INPUT_<NAME>`); the action's own inputs, nothing else. */
export type InputReader = (name: string) => string;

/** The action's settings for an audit run, validated with the CLI's parsers. */
export interface ActionAuditSettings {
  command: 'audit';
  loaded: LoadedConfig;
  lake: LakeLocation;
  engine: EngineName;
  seasons: number[];
  out: string;
}

const COMMANDS = ['audit'] as const;
const ENGINES: readonly EngineName[] = ['scan'];

/** Turns the action's inputs into settings; a bad input is a `UsageError` that names it. */
export async function readInputs(input: InputReader): Promise<ActionAuditSettings> {
  const command = input('command') || 'audit';
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`input command: "${command}" is not one of ${COMMANDS.join(', ')}`);
  }
  const configPath = input('config') || 'config.yaml';
  const loaded = existsSync(configPath)
    ? await loadConfigFile(configPath)
    : input('config')
      ? await loadConfigFile(configPath)
      : parseConfig(DEFAULT_CONFIG_YAML, 'embedded default config.yaml');
  const { config } = loaded;
  const engine = input('engine') || 'scan';
  if (!(ENGINES as readonly string[]).includes(engine))
    throw new UsageError(`input engine: "${engine}" is not one of ${ENGINES.join(', ')}`);
  return {
    command: 'audit',
    loaded,
    lake: parseLakeUri(input('lake') || `s3://${config.bucket}`, 'input lake'),
    engine: engine as EngineName,
    seasons: parseSeasonSpec(
      input('seasons') || `${config.seasons.start}-${config.seasons.end}`,
      config.seasons,
      'input seasons',
    ),
    out: config.github.report_path,
  };
}
