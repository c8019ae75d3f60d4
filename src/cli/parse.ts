import { parseArgs, type ParseArgsConfig } from 'node:util';
import { offers, readOptions, type CommandSpec, type Settings } from '../commands/option-spec.js';
import { CLI_COMMANDS } from '../commands/options.js';
import { UsageError } from '../util/errors.js';
import { commandHelp, mainHelp } from './help.js';

type CliCommands = typeof CLI_COMMANDS;
type CliCommandName = keyof CliCommands;

/** What the command line asked for, validated: help, the version, or one command with its settings. */
export type CliRequest =
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { [K in CliCommandName]: { kind: K } & Settings<CliCommands[K]['options'], 'cli'> }[CliCommandName];

/** Parses argv (without node and script) into a request; every mistake is a `UsageError` naming the flag. */
export async function parseCommandLine(argv: readonly string[], cwd: string): Promise<CliRequest> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help')
    return { kind: 'help', text: mainHelp() };
  if (name === '--version' || name === '-V') return { kind: 'version' };
  if (!Object.hasOwn(CLI_COMMANDS, name))
    throw new UsageError(`unknown command "${name}"; run cbbd-gap-bot --help for the list`);
  const command: CommandSpec = CLI_COMMANDS[name as CliCommandName];
  const flags = parseFlags(command, rest);
  if (flags.help) return { kind: 'help', text: commandHelp(command) };
  // A switch given is `true` to parseArgs; the declarations parse text, as the action's inputs are.
  const given = (flag: unknown) => (flag === true ? 'true' : typeof flag === 'string' ? flag : undefined);
  const settings = await readOptions(command, 'cli', (spec) => given(flags[spec.name]), cwd);
  return { kind: name, ...settings } as CliRequest;
}

/** The command's flags as node:util sees them: a switch is boolean, every other flag takes a string. */
function parseFlags(command: CommandSpec, args: readonly string[]) {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const spec of Object.values(command.options)) {
    if (offers(spec, 'cli')) options[spec.name] = { type: spec.arg ? 'string' : 'boolean' };
  }
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    // node:util names the flag in its message ("Unknown option '--sesons'"); keep that, drop its error code.
    throw new UsageError(
      e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/, '') : String(e),
    );
  }
}
