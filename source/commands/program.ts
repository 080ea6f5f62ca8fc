// Builds the commander program and runs it inside an invocation (invocation.ts: flags, output,
// and the one place that turns errors into messages and exit codes).
import {Command, CommanderError} from 'commander';
import {ExitCode} from '../lib/errors.js';
import {registerComponentCommands} from './component.js';
import type {CommandContext, RegisterCommands} from './context.js';
import {addExamples, helpHint, usageErrorText} from './help.js';
import {settleJsonWord} from './global-flags.js';
import {invoke, runAction, startInvocation, type RunOptions} from './invocation.js';
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

/** Runs one CLI invocation and returns its exit code. */
export async function runCli(options: RunOptions): Promise<number> {
  const invocation = startInvocation(options);
  const {ctx} = invocation;
  let running: Command | undefined;
  return invoke(
    invocation,
    async () => {
      let {flags} = invocation;
      // `berth --stack gpu` alone in a terminal: the TUI, with that override.
      if (
        flags.argv.length === 0 &&
        ctx.io.stdout.isTTY &&
        ctx.io.stdin.isTTY &&
        options.argv.length > 0
      ) {
        const {runTui} = await import('../tui.js');
        return await runTui({deps: ctx.deps});
      }
      const program = await createProgram(ctx, flags.argv);
      program.hook('preAction', (_program, action) => {
        running = action;
      });
      flags = settleJsonWord(flags, program);
      try {
        await runAction(ctx.output, flags, () => program.parseAsync(flags.argv, {from: 'user'}));
      } catch (error) {
        if (!(error instanceof CommanderError)) throw error;
        // commander printed its message already (or the help, or the version).
        return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(
          error.code,
        )
          ? ExitCode.ok
          : ExitCode.usage;
      }
      return ExitCode.ok;
    },
    () => (running ? helpHint(running) : undefined),
  );
}
