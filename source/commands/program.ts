// Builds the commander program and runs it: the one place that turns errors into messages
// and exit codes.
import {Command, CommanderError} from 'commander';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {createDeps, stateDirFor, type Deps} from '../deps.js';
import {BerthError, CancelledError, describeError, ExitCode} from '../lib/errors.js';
import {fileError, fileOf, isFileSystemError} from '../lib/file-errors.js';
import {Output, shouldUseColor} from '../lib/output.js';
import {registerComponentCommands} from './component.js';
import {flagLabel, type CommandContext, type RegisterCommands} from './context.js';
import {addExamples, helpHint, usageErrorText} from './help.js';
import {extractGlobalFlags, settleJsonWord, type GlobalFlags} from './global-flags.js';
import {registerInitCommand} from './init.js';
import {registerProfileCommands} from './profile.js';
import {registerStackCommands} from './stack.js';

export const version = process.env.BERTH_VERSION ?? '0.0.0-dev';

// The profile/stack commands are small and bundled here; every other group is its own chunk,
// so `berth stack list` never loads the token, repository or publish code (nor the Node
// built-ins those pull in).
const commandGroups: Record<string, () => Promise<RegisterCommands>> = {
  init: async () => registerInitCommand,
  status: () => import('./status.js').then((m) => m.registerStatusCommand),
  profile: async () => registerProfileCommands,
  stack: async () => registerStackCommands,
  component: async () => registerComponentCommands,
  token: () => import('./token.js').then((m) => m.registerTokenCommands),
  repo: () => import('./repo.js').then((m) => m.registerRepoCommands),
  setup: () => import('./setup.js').then((m) => m.registerSetupCommand),
  publish: () => import('./publish.js').then((m) => m.registerPublishCommand),
  module: () => import('./module.js').then((m) => m.registerModuleCommands),
  run: () => import('./run.js').then((m) => m.registerRunCommands),
  runs: () => import('./run.js').then((m) => m.registerRunCommands),
  logs: () => import('./logs.js').then((m) => m.registerLogsCommand),
  code: () => import('./code.js').then((m) => m.registerCodeCommands),
  completion: () => import('./completion.js').then((m) => m.registerCompletionCommand),
};

/** The groups to register: the one named on the command line, or all (help, typos). */
function groupsFor(argv: readonly string[]): Array<() => Promise<RegisterCommands>> {
  const first = argv.find((argument) => !argument.startsWith('-'));
  const named = first === undefined ? undefined : commandGroups[first];
  if (named && !argv.includes('--help') && !argv.includes('-h')) return [named];
  const all = Object.entries(commandGroups).filter(([name]) => name !== 'runs');
  return all.map(([, load]) => load);
}

export async function createProgram(
  ctx: CommandContext,
  argv: readonly string[] = [],
): Promise<Command> {
  const program = new Command('berth')
    .description(
      'Tokens, code repositories, per-directory profiles and stacks, and published code modules.',
    )
    .version(version, '-v, --version', 'print the version')
    .option(
      '--json [fields]',
      'JSON on stdout (list, describe, status and detect commands); FIELDS (a,b) keeps those fields',
    )
    .option('--jq <expr>', 'filter the JSON output through a jq expression (implies --json)')
    .option('--profile <name>', 'use this profile for this command (also: BERTH_PROFILE)')
    .option('--stack <name>', 'use this stack for this command (also: BERTH_STACK)')
    .option('--no-color', 'no colors (also: NO_COLOR=1)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // commander echoes arguments ("unknown option '…'"): inert like every other line.
      writeOut: (text) => ctx.io.stdout.write(ctx.output.render(text)),
      writeErr: (text) => ctx.io.stderr.write(ctx.output.render(text)),
    })
    .addHelpText('after', '\nRun `berth` alone in a terminal for the TUI. Docs: readme.md.');

  for (const register of await Promise.all(groupsFor(argv).map((load) => load())))
    register(program, ctx);

  // Every command reports usage errors (exit 2) through the same override, in berth's form.
  const streams = program.configureOutput();
  const inherit = (command: Command) => {
    command.configureOutput({
      ...streams,
      outputError: (text, write) => write(usageErrorText(text, command, ctx.output)),
    });
    for (const sub of command.commands) {
      sub.exitOverride().showSuggestionAfterError(true);
      inherit(sub);
    }
  };
  inherit(program);
  addExamples(program);
  return program;
}

export type RunOptions = {argv: string[]; deps?: Deps; io?: CommandContext['io']};

/** Runs one CLI invocation and returns its exit code. */
export async function runCli(options: RunOptions): Promise<number> {
  // stdin is opened only by the commands that read it (opening it loads Node's stream stack).
  const io = options.io ?? {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
  };
  let flags: GlobalFlags;
  let flagError: Error | undefined;
  try {
    flags = extractGlobalFlags(options.argv);
  } catch (error) {
    flagError = error as Error;
    flags = {argv: options.argv, json: false, confirmedStacks: []};
  }
  const color =
    shouldUseColor(
      process.env,
      flags.argv.includes('--no-color') ? false : undefined,
      Boolean(io.stderr.isTTY),
    ) && !flags.json;
  const output = new Output({json: flags.json, color, stdout: io.stdout, stderr: io.stderr});
  const deps = options.deps ?? createDeps();
  if (flags.profile !== undefined || flags.stack !== undefined)
    deps.overrides = {profile: flags.profile, stack: flags.stack};
  const ctx: CommandContext = {deps, output, io, confirmedStacks: flags.confirmedStacks};
  let running: Command | undefined;
  try {
    if (flagError) throw flagError;
    // `berth --stack gpu` alone in a terminal: the TUI, with that override.
    if (flags.argv.length === 0 && io.stdout.isTTY && io.stdin.isTTY && options.argv.length > 0) {
      const {runTui} = await import('../tui.js');
      return await runTui({deps});
    }
    const program = await createProgram(ctx, flags.argv);
    program.hook('preAction', (_program, action) => {
      running = action;
    });
    flags = settleJsonWord(flags, program);
    output.filter({fields: flags.jsonFields, jq: flags.jq});
    if (flags.jq !== undefined) {
      const {checkJqExpression} = await import('../lib/json-filter.js');
      await checkJqExpression(flags.jq);
    }
    try {
      await program.parseAsync(flags.argv, {from: 'user'});
    } finally {
      // What a command printed as JSON goes out even when it then failed (a failed run).
      await output.finish();
    }
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, {output, stateDir: deps.stateDir, command: running});
  } finally {
    await deps.close().catch(() => undefined);
  }
}

/** Errors outside a command (the TUI of a bare `berth`) take the same path as a command's. */
export function reportUncaught(error: unknown): number {
  const output = new Output({
    json: false,
    color: shouldUseColor(process.env, undefined, Boolean(process.stderr.isTTY)),
  });
  return reportError(error, {output, stateDir: stateDirFor(process.env)});
}

/** `command`: the one whose action ran, when it got that far. */
function reportError(
  error: unknown,
  ctx: {output: Output; stateDir: string; command?: Command | undefined},
): number {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return ExitCode.ok;
    }
    // commander printed the message already.
    return ExitCode.usage;
  }
  const {output} = ctx;
  // A file-system failure that no layer translated still names its cause and its file.
  if (!(error instanceof BerthError) && isFileSystemError(error) && fileOf(error))
    error = fileError(error, fileOf(error)!, 'use');
  if (error instanceof CancelledError) {
    output.info(error.message);
    if (error.hint) output.info(error.hint);
    return error.exitCode;
  }
  const report = describeError(error, flagLabel);
  if (!report.bug) {
    output.info(`${output.style('red', 'Error:')} ${report.message}`);
    if (report.hint) output.info(report.hint);
    // A usage error with no next step of its own points at the command's help.
    else if (report.exitCode === ExitCode.usage && ctx.command) output.info(helpHint(ctx.command));
    return report.exitCode;
  }
  const trace = writeCrashLog(ctx.stateDir, error);
  output.info(`${output.style('red', 'berth hit a bug:')} ${report.message}`);
  if (trace) output.info(`The full trace is in ${trace}. Please attach it to a bug report.`);
  return ExitCode.failure;
}

function writeCrashLog(stateDir: string, error: unknown): string | undefined {
  try {
    const directory = path.join(stateDir, 'logs');
    mkdirSync(directory, {recursive: true});
    const file = path.join(
      directory,
      `crash-${new Date().toISOString().replace(/[:.]/g, '-')}.log`,
    );
    writeFileSync(
      file,
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      {mode: 0o600},
    );
    return file;
  } catch {
    return undefined;
  }
}
