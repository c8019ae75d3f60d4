/** The `--help` texts, written from the commands' declarations (src/commands/options.ts). */

import { offers, type CommandSpec } from '../commands/option-spec.js';
import { CLI_COMMANDS } from '../commands/options.js';

/** `cbbd-gap-bot --help`: the commands and what every command shares. */
export function mainHelp(): string {
  const commands = Object.values(CLI_COMMANDS).map((c) => `  ${c.name.padEnd(9)}${c.summary}`);
  return `cbbd-gap-bot — audits a CollegeBasketballData lake for gaps, reports them, and fills them.

Usage: cbbd-gap-bot <command> [flags]

Commands:
${commands.join('\n')}

Every command takes --config FILE (default ./config.yaml, else the embedded default) and --lake URI
(s3://bucket[/prefix], file:///abs/dir or a directory; default s3://<bucket> from the config).
Run \`cbbd-gap-bot <command> --help\` for its flags.

Exit codes: 0 done; 1 gaps found with --fail-on-gaps, a fill with failed games, or a repair step failed;
2 usage or config error (or the API refused the key, or --lake holds no silver/fct_games, or --out cannot be
written); 3 the API's monthly quota is exhausted; 4 the run failed: the lake, catalog or checkpoints could not
be reached or read (the message names the service, the bucket or table, and a likely remedy).
`;
}

/** `cbbd-gap-bot <command> --help`: usage, what it does, each flag the CLI offers with its help, the epilogue. */
export function commandHelp(command: CommandSpec): string {
  const flags = Object.values(command.options)
    .filter((spec) => offers(spec, 'cli'))
    .map((spec) => ({
      flag: `--${spec.name}${spec.arg ? ` ${spec.arg}` : ''}`,
      help: spec.help.split('\n'),
    }));
  const width = Math.max(...flags.map((f) => f.flag.length)) + 2;
  const lines = flags.flatMap(({ flag, help: [first, ...more] }) => [
    `  ${flag.padEnd(width)}${first}`,
    ...more.map((line) => `  ${' '.repeat(width)}${line}`),
  ]);
  const epilogue = command.epilogue ? `\n${command.epilogue}\n` : '';
  return `Usage: cbbd-gap-bot ${command.name} ${command.usage}

${command.about}

Flags:
${lines.join('\n')}
${epilogue}`;
}
