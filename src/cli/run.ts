import { auditCommand } from '../commands/audit.js';
import { demoCommand } from '../commands/demo.js';
import { repairCommand, repairText } from '../commands/repair.js';
import type { Env } from '../commands/ports.js';
import { errorMessage, exitCodeFor, ExitCode } from '../util/errors.js';
import { createStderrLogger } from '../util/logger.js';
import { VERSION } from '../util/version.js';
import { parseCommandLine } from './parse.js';
import { scorecardText } from './scorecard.js';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Env;
  cwd: string;
  now: () => Date;
}

/** Runs one command line and returns the exit code. Errors become messages on stderr and codes 1, 2 or 3. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const logger = createStderrLogger({ verbose: Boolean(io.env.CBBD_GAP_BOT_DEBUG), sink: io.stderr });
  try {
    const request = await parseCommandLine(argv, io.cwd);
    if (request.kind === 'help') {
      io.stdout(request.text);
      return ExitCode.ok;
    }
    if (request.kind === 'version') {
      io.stdout(`cbbd-gap-bot ${VERSION}\n`);
      return ExitCode.ok;
    }
    for (const w of request.loaded.warnings) logger.warn(w);
    const deps = { logger, env: io.env, now: io.now };
    if (request.kind === 'repair') {
      const report = await repairCommand(
        {
          config: request.loaded.config,
          lake: request.lake,
          apply: request.apply,
          normalize: request.normalize,
          confirmDelete: request.confirmDelete,
        },
        deps,
      );
      io.stderr(repairText(report));
      if (request.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      return report.ok ? ExitCode.ok : ExitCode.gapsOrFailures;
    }
    const outcome =
      request.kind === 'audit'
        ? await auditCommand(
            {
              config: request.loaded.config,
              lake: request.lake,
              engine: request.engine,
              seasons: request.seasons,
              out: request.out,
            },
            deps,
          )
        : await demoCommand(
            { config: request.loaded.config, dir: request.dir, gamesPerSeason: request.gamesPerSeason },
            deps,
          );
    io.stderr(scorecardText(outcome.result));
    io.stderr(`report: ${outcome.files.markdown} (also ${outcome.files.json}, ${outcome.files.svg})\n`);
    if (request.json) io.stdout(`${JSON.stringify(outcome.result, null, 2)}\n`);
    return request.kind === 'audit' && request.failOnGaps && outcome.result.gaps.length > 0
      ? ExitCode.gapsOrFailures
      : ExitCode.ok;
  } catch (e) {
    logger.error(errorMessage(e));
    return exitCodeFor(e);
  }
}
