import {
  offers,
  readOptions,
  type CommandSpec,
  type OptionSpec,
  type Settings,
} from '../commands/option-spec.js';
import { ACTION_COMMANDS, COMMAND_INPUT } from '../commands/options.js';
import { UsageError } from '../util/errors.js';

/** Reads one input as the runner passes it (`INPUT_<NAME>`). */
export type InputReader = (name: string) => string;

type ActionCommands = typeof ACTION_COMMANDS;
type ActionCommandName = keyof ActionCommands;

/** The action's settings for one command: the command's inputs as declared in src/commands/options.ts, parsed. */
export type ActionSettingsOf<C extends ActionCommandName> = { command: C } & Settings<
  ActionCommands[C]['options'],
  'action'
>;

/** The action's settings: one command and its validated inputs. */
export type ActionSettings = { [C in ActionCommandName]: ActionSettingsOf<C> }[ActionCommandName];

/**
 * Turns the action's inputs into settings with the commands' own declarations, so the CLI and the action refuse the
 * same things in the same words; a bad input is a `UsageError` naming it (`input seasons: …`).
 */
export async function readInputs(input: InputReader, cwd = '.'): Promise<ActionSettings> {
  const name = input(COMMAND_INPUT.name) || COMMAND_INPUT.actionDefault;
  if (!Object.hasOwn(ACTION_COMMANDS, name)) {
    throw new UsageError(
      `input ${COMMAND_INPUT.name}: "${name}" is not one of ${Object.keys(ACTION_COMMANDS).join(', ')}`,
    );
  }
  const command: CommandSpec = ACTION_COMMANDS[name as ActionCommandName];
  const settings = await readOptions(command, 'action', (spec) => inputText(input, spec), cwd);
  return { command: name, ...settings } as ActionSettings;
}

/** An input's text; an empty one is its literal action.yml default, else not given. */
function inputText(input: InputReader, spec: OptionSpec): string | undefined {
  if (!offers(spec, 'action')) return undefined;
  const literalDefault = spec.actionDefault?.includes('${{') ? undefined : spec.actionDefault;
  return input(spec.name) || literalDefault;
}
