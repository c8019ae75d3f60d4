import { auditCommand } from '../commands/audit.js';
import { demoCommand } from '../commands/demo.js';
import { fillCommand } from '../commands/fill.js';
import { combinedMatrix, planCommand } from '../commands/plan.js';
import type { Env } from '../commands/ports.js';
import { repairCommand, repairText } from '../commands/repair.js';
import { errorMessage, exitCodeFor, ExitCode } from '../util/errors.js';
import { createStderrLogger, type Logger } from '../util/logger.js';
import { VERSION } from '../util/version.js';
import { stepProgressReporter as stepProgress } from '../util/progress.js';
import { fillExitCode, fillSummaryText, planText, progressReporter } from './fill-output.js';
import { parseCommandLine, type CliRequest } from './parse.js';
import { scorecardText } from './scorecard.js';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Env;
  cwd: string;
  now: () => Date;
  /** Whether stderr is a terminal (a live progress line) or a log (a line every 50 games). */
  isTty?: boolean;
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
    return await dispatch(request, io, logger);
  } catch (e) {
    logger.error(errorMessage(e));
    return exitCodeFor(e);
  }
}

type Runnable = Exclude<CliRequest, { kind: 'help' } | { kind: 'version' }>;

async function dispatch(request: Runnable, io: CliIo, logger: Logger): Promise<number> {
  const deps = { logger, env: io.env, now: io.now };
  const config = request.loaded.config;
  const json = (value: unknown) => {
    if (request.json) io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  };
  switch (request.kind) {
    case 'audit':
    case 'demo': {
      const tty = Boolean(io.isTty) && !io.env.GITHUB_ACTIONS;
      const clock = () => io.now().getTime();
      const reading = stepProgress(io.stderr, tty, clock);
      const writing = stepProgress(io.stderr, tty, clock, { step: 'demo', unit: 'objects written' });
      const withProgress = {
        ...deps,
        progress: (p: { read: number; total: number }) => reading(p.read, p.total),
        writeProgress: writing,
      };
      const outcome =
        request.kind === 'audit'
          ? await auditCommand(
              {
                config,
                lake: request.lake,
                engine: request.engine,
                seasons: request.seasons,
                out: request.out,
                full: request.full,
              },
              withProgress,
            )
          : await demoCommand(
              { config, dir: request.dir, gamesPerSeason: request.gamesPerSeason },
              withProgress,
            );
      io.stderr(scorecardText(outcome.result));
      io.stderr(`report: ${outcome.files.markdown} (also ${outcome.files.json}, ${outcome.files.svg})\n`);
      json(outcome.result);
      return request.kind === 'audit' && request.failOnGaps && outcome.result.gaps.length > 0
        ? ExitCode.gapsOrFailures
        : ExitCode.ok;
    }
    case 'repair': {
      const report = await repairCommand(
        {
          config,
          lake: request.lake,
          apply: request.apply,
          normalize: request.normalize,
          confirmDelete: request.confirmDelete,
        },
        deps,
      );
      io.stderr(repairText(report));
      json(report);
      return report.ok ? ExitCode.ok : ExitCode.gapsOrFailures;
    }
    case 'plan': {
      const { kind: _k, loaded: _l, json: _j, configFile: _c, ...settings } = request;
      const plans = await planCommand({ config, ...settings }, deps);
      io.stderr(planText(plans));
      json({ plans, matrix: combinedMatrix(plans) });
      return ExitCode.ok;
    }
    case 'fill': {
      const { kind: _k, loaded: _l, json: _j, configFile: _c, ...settings } = request;
      const onProgress = progressReporter(io.stderr, Boolean(io.isTty) && !io.env.GITHUB_ACTIONS);
      const outcome = await fillCommand({ config, ...settings }, { ...deps, onProgress });
      io.stderr(fillSummaryText(outcome));
      json(outcome);
      return fillExitCode(outcome);
    }
  }
}
