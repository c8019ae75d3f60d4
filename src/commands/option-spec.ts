import { loadConfigOrDefault, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../util/errors.js';

/** The two ways in: flags on the command line, inputs of the GitHub Action. */
export type Surface = 'cli' | 'action';

/** Where an option is offered: as a flag, as an action input, or as both. */
export type Offered = Surface | 'both';

/** What a parser knows: the loaded config (many defaults come from it) and how the user spelled the option. */
export interface OptionContext {
  config: Config;
  /** `--rate` on the command line, `input rate` in the action: every message names the option as it was given. */
  label: string;
  surface: Surface;
}

/**
 * One option of one command, declared once: the CLI parser, `--help`, the action's input reader and the test that
 * holds action.yml to the declarations all read it.
 */
export interface OptionSpec<T = unknown, On extends Offered = Offered> {
  /** `seasons`: the flag `--seasons` and the input `seasons`. */
  name: string;
  on: On;
  /** What the flag takes, in `--help` (`SPEC`, `N`); absent for a switch (a bare flag, `true`/`false` as an input). */
  arg?: string;
  /** The `--help` text (lines after the first are continuation lines). */
  help: string;
  /**
   * action.yml's default for the input. The reader uses a literal one when the input comes empty, as a runner
   * passes it when the workflow gives none; an expression (`${{ github.token }}`) is the runner's to evaluate.
   */
  actionDefault?: string;
  /** An option this one means nothing without: `confirm-delete` without `apply` is refused. */
  requires?: { option: string; why: string };
  /** The raw text (undefined when not given) into the value; a bad one is a `UsageError` naming `context.label`. */
  parse(raw: string | undefined, context: OptionContext): T;
}

/** A command's options by the key its settings carry them under. Every command takes `--config` (`configFile`). */
export type OptionTable = { configFile: OptionSpec<string | undefined> } & Record<string, OptionSpec>;

/** One command as the entries offer it: its help texts and its options. */
export interface CommandSpec<O extends OptionTable = OptionTable> {
  name: string;
  /** The CLI's one-line summary (`cbbd-gap-bot --help`). */
  summary: string;
  /** What follows `cbbd-gap-bot <name>` in the usage line: `--endpoint NAME --seasons SPEC [flags]`. */
  usage: string;
  /** What the command does, for `<name> --help`. */
  about: string;
  /** Exit codes and examples after the flags, for `<name> --help`. */
  epilogue?: string;
  options: O;
}

type OnSurface<O, S extends Surface> = O extends { on: S | 'both' } ? true : false;

/** The options of `O` that `S` offers, each as the type its parser returns. */
export type OptionValues<O extends OptionTable, S extends Surface> = {
  [K in keyof O as OnSurface<O[K], S> extends true ? K : never]: ReturnType<O[K]['parse']>;
};

/** A command's settings on one surface: the loaded config and every option that surface offers, parsed. */
export type Settings<O extends OptionTable, S extends Surface> = { loaded: LoadedConfig } & OptionValues<
  O,
  S
>;

/** Declares an option; the helper only pins `on` to its literal so settings know which options a surface has. */
export function option<T, On extends Offered>(spec: OptionSpec<T, On>): OptionSpec<T, On> {
  return spec;
}

/** Whether `surface` offers `spec`. */
export function offers(spec: OptionSpec, surface: Surface): boolean {
  return spec.on === surface || spec.on === 'both';
}

/** How a message names an option on a surface. */
export function optionLabel(spec: Pick<OptionSpec, 'name'>, surface: Surface): string {
  return surface === 'cli' ? `--${spec.name}` : `input ${spec.name}`;
}

/**
 * Reads one command's options from a surface: loads the config `--config` names (relative to `cwd`), parses every
 * option the surface offers in declaration order, then refuses an option given without the one it requires.
 */
export async function readOptions<O extends OptionTable, S extends Surface>(
  command: CommandSpec<O>,
  surface: S,
  given: (spec: OptionSpec) => string | undefined,
  cwd: string,
): Promise<Settings<O, S>> {
  const offered = Object.entries(command.options).filter(([, spec]) => offers(spec, surface));
  const loaded = await loadConfigOrDefault(given(command.options.configFile), cwd);
  const values: Record<string, unknown> = {};
  for (const [key, spec] of offered) {
    values[key] = spec.parse(given(spec), {
      config: loaded.config,
      label: optionLabel(spec, surface),
      surface,
    });
  }
  for (const [key, spec] of offered) {
    if (!spec.requires || !values[key]) continue;
    const required = offered.find(([, other]) => other.name === spec.requires!.option);
    if (required && !values[required[0]]) {
      throw new UsageError(
        `${optionLabel(spec, surface)}: only with ${optionLabel(required[1], surface)} (${spec.requires.why})`,
      );
    }
  }
  return { loaded, ...values } as Settings<O, S>;
}
