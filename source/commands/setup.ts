// `berth setup`: the onboarding wizard. It needs a terminal; without one each of its steps is
// a plain command of its own.
import {BerthError, CancelledError, ExitCode, UsageError} from '../lib/errors.js';
import type {RegisterCommands} from './context.js';

export const registerSetupCommand: RegisterCommands = (program, ctx) => {
  program
    .command('setup')
    .description('The onboarding wizard: token, code repository, `init` here and a stack.')
    .action(async () => {
      if (!ctx.io.stdin.isTTY || !ctx.io.stdout.isTTY) {
        throw new UsageError('berth setup needs a terminal.', {
          hint: 'Without one, run the steps as commands: `berth token add github --stdin`, `berth repo register`, `berth init`, `berth stack set`.',
        });
      }
      // Loaded only here: the plain commands never load React or Ink.
      const {runTui} = await import('../tui.js');
      const code = await runTui({screen: 'setup', deps: ctx.deps});
      if (code === ExitCode.cancelled) throw new CancelledError('Setup cancelled.');
      if (code !== ExitCode.ok) {
        throw new BerthError(
          'Setup stopped at a step that failed; the wizard listed what it wrote.',
          {
            exitCode: code as ExitCode,
            hint: 'Run `berth setup` again, or that step as a command (`berth --help`).',
          },
        );
      }
    });
};
