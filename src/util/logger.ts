/** Where domain code reports progress; the CLI writes to stderr, the action to the runner's log. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/** Human progress on stderr (or any sink), so stdout stays free for `--json`. */
export function createStderrLogger(opts: { verbose?: boolean; sink?: (text: string) => void } = {}): Logger {
  const sink = opts.sink ?? ((text: string) => process.stderr.write(text));
  const write = (prefix: string, message: string) => sink(`${prefix}${message}\n`);
  return {
    info: (m) => write('', m),
    warn: (m) => write('warning: ', m),
    error: (m) => write('error: ', m),
    debug: (m) => {
      if (opts.verbose) write('debug: ', m);
    },
  };
}

/** A logger that keeps what it is told, for tests and for collecting warnings. */
export function createMemoryLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const push = (level: string) => (message: string) => lines.push({ level, message });
  return { lines, info: push('info'), warn: push('warn'), error: push('error'), debug: push('debug') };
}
