import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readInputs } from '../../src/action/inputs.js';
import { ACTION_HANDLERS } from '../../src/action/run-action.js';
import { parseConfig } from '../../src/config/load.js';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { offers, type CommandSpec, type OptionSpec } from '../../src/commands/option-spec.js';
import { ACTION_COMMANDS, CLI_COMMANDS, COMMAND_INPUT } from '../../src/commands/options.js';
import { UsageError } from '../../src/util/errors.js';

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
}

const actionYml = parseYaml(await readFile('action.yml', 'utf8')) as ActionYml;
const actionCommands = Object.values(ACTION_COMMANDS) as CommandSpec[];
const { config } = parseConfig(DEFAULT_CONFIG_YAML, 'embedded default config.yaml');

/** Every input name the action's commands read, with the commands reading it and their declarations. */
function declaredInputs(): Map<string, { commands: string[]; specs: OptionSpec[] }> {
  const inputs = new Map<string, { commands: string[]; specs: OptionSpec[] }>();
  for (const command of actionCommands) {
    for (const spec of Object.values(command.options).filter((s) => offers(s, 'action'))) {
      const entry = inputs.get(spec.name) ?? { commands: [], specs: [] };
      entry.commands.push(command.name);
      entry.specs.push(spec);
      inputs.set(spec.name, entry);
    }
  }
  return inputs;
}

/** action.yml describes a name the commands share as `audit, plan: …`; one every command reads needs no prefix. */
function expectedPrefix(commands: readonly string[]): string {
  return commands.length === actionCommands.length ? '' : `${commands.join(', ')}: `;
}

describe('action.yml agrees with the commands’ declarations (src/commands/options.ts)', () => {
  const declared = declaredInputs();

  it('lists exactly the inputs the commands declare, and the command input', () => {
    expect(Object.keys(actionYml.inputs).sort()).toEqual([COMMAND_INPUT.name, ...declared.keys()].sort());
  });

  it('gives each input the default its declarations give, and requires none (each command needs others)', () => {
    expect(actionYml.inputs[COMMAND_INPUT.name]?.default).toBe(COMMAND_INPUT.actionDefault);
    for (const [name, { specs }] of declared) {
      for (const spec of specs)
        expect([name, actionYml.inputs[name]?.default]).toEqual([name, spec.actionDefault]);
      expect([name, actionYml.inputs[name]?.required ?? false]).toEqual([name, false]);
    }
  });

  it('names the commands that read an input at the start of its description', () => {
    for (const [name, { commands }] of declared) {
      const description = actionYml.inputs[name]!.description;
      expect([name, description.slice(0, expectedPrefix(commands).length)]).toEqual([
        name,
        expectedPrefix(commands),
      ]);
      if (expectedPrefix(commands) === '') expect(description).not.toMatch(/^[a-z, ]+: /);
    }
    for (const command of Object.keys(ACTION_COMMANDS))
      expect(actionYml.inputs[COMMAND_INPUT.name]!.description).toContain(command);
  });

  it('lists exactly the outputs the handlers set, each description naming the commands that set it', () => {
    const setBy = new Map<string, string[]>();
    for (const [command, handler] of Object.entries(ACTION_HANDLERS)) {
      for (const output of handler.outputs) setBy.set(output, [...(setBy.get(output) ?? []), command]);
    }
    expect(Object.keys(actionYml.outputs).sort()).toEqual([...setBy.keys()].sort());
    for (const [output, commands] of setBy)
      expect([output, actionYml.outputs[output]!.description]).toEqual([
        output,
        expect.stringMatching(new RegExp(`^${expectedPrefix(commands)}`)),
      ]);
    expect(Object.keys(ACTION_HANDLERS)).toEqual(Object.keys(ACTION_COMMANDS));
  });

  it('has literal defaults the declarations accept', () => {
    for (const [name, { specs }] of declared) {
      for (const spec of specs.filter((s) => s.actionDefault && !s.actionDefault.includes('${{'))) {
        expect(() =>
          spec.parse(spec.actionDefault, { config, label: `input ${name}`, surface: 'action' }),
        ).not.toThrow();
      }
    }
  });
});

describe('the declarations', () => {
  const commands = [...Object.values(CLI_COMMANDS), ...actionCommands] as CommandSpec[];

  it.each(['cli', 'action'] as const)('give no two options of a command one name on the %s', (surface) => {
    for (const command of commands) {
      const names = Object.values(command.options)
        .filter((s) => offers(s, surface))
        .map((s) => s.name);
      expect([command.name, names]).toEqual([command.name, [...new Set(names)]]);
    }
  });

  it('name only options a command has in `requires`, offered wherever the option itself is', () => {
    for (const command of commands) {
      for (const spec of Object.values(command.options).filter((s) => s.requires)) {
        const required = Object.values(command.options).find((s) => s.name === spec.requires!.option);
        expect(required?.on).toBe(spec.on);
      }
    }
  });
});

describe('readInputs', () => {
  const inputs =
    (given: Record<string, string>) =>
    (name: string): string =>
      given[name] ?? '';

  it('reads a command’s inputs with the literal action.yml defaults for the empty ones', async () => {
    const settings = await readInputs(inputs({ command: 'fill', endpoint: 'plays_game', seasons: '2024' }));
    expect(settings).toMatchObject({
      command: 'fill',
      endpoint: 'plays_game',
      seasons: [2024],
      shard: { index: 1, count: 1 },
      dryRun: false,
      resultPath: 'fill-result.json',
      rate: config.api.rate_limit_per_sec,
    });
    expect(settings).not.toHaveProperty('leaseSeconds');
  });

  it.each<[Record<string, string>, string]>([
    [{ command: 'scan' }, 'input command: "scan" is not one of audit, check, plan, fill, finalize, repair'],
    [{ command: 'fill', endpoint: 'plays_game' }, 'input seasons: required'],
    [{ command: 'audit', engine: 'duckdb' }, 'input engine: "duckdb" is not one of scan, athena'],
    [
      { command: 'audit', 'report-mode': 'email' },
      'input report-mode: "email" is not one of pr, commit, none',
    ],
    [{ command: 'plan', seasons: '2026-2020' }, 'input seasons: season range 2026-2020 is reversed'],
    [
      { command: 'finalize', endpoint: 'games', seasons: '2024' },
      'input endpoint: "games" is not a per-game',
    ],
    [
      { command: 'repair', 'confirm-delete': 'true' },
      'input confirm-delete: only with input apply (without it repair changes nothing)',
    ],
  ])('refuses %j naming the input', async (given, message) => {
    const reading = readInputs(inputs(given));
    await expect(reading).rejects.toBeInstanceOf(UsageError);
    await expect(reading).rejects.toThrow(message);
  });

  it('takes repair’s confirm-delete with apply', async () => {
    const settings = await readInputs(inputs({ command: 'repair', apply: 'true', 'confirm-delete': 'yes' }));
    expect(settings).toMatchObject({ command: 'repair', apply: true, normalize: false, confirmDelete: true });
  });

  it('checks a dispatch with its endpoint and seasons, and a label with neither', async () => {
    expect(
      await readInputs(inputs({ command: 'check', endpoint: 'lineups_game', seasons: '2024-2025' })),
    ).toMatchObject({ checkedEndpoint: 'lineups_game', checkedSeasons: [2024, 2025] });
    expect(await readInputs(inputs({ command: 'check' }))).toMatchObject({
      checkedEndpoint: undefined,
      checkedSeasons: undefined,
    });
  });

  it('plans the endpoint and seasons the check allowed', async () => {
    expect(
      await readInputs(inputs({ command: 'plan', endpoint: 'plays_game', seasons: '2024' })),
    ).toMatchObject({ checkedEndpoint: 'plays_game', checkedSeasons: [2024], shards: 1 });
  });
});
