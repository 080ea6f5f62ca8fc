import {Option} from 'commander';
import {UsageError} from '../lib/errors.js';
import {showStatus} from './checkout.js';
import type {RegisterCommands} from './context.js';

export const registerStatusCommand: RegisterCommands = (program, ctx) => {
  program
    .command('status')
    .description(
      "Show the repository root, the active profile and stack with their source, and this directory's code reference.",
    )
    .option(
      '--prompt',
      'one short line for a shell prompt: profile/stack (and their source when a variable or flag chose them), the account chosen here',
    )
    .option(
      '--init <shell>',
      'with --prompt: print the bash, zsh or fish snippet that keeps the line in $berth_prompt and runs berth only when something deciding it changed',
    )
    .addOption(new Option('--with-inputs').hideHelp())
    .action(async (options: {prompt?: boolean; init?: string; withInputs?: boolean}) => {
      // Normally answered before commander loads (cli.tsx, prompt.ts); the same text from here.
      const prompt = await import('./prompt.js');
      if (options.init !== undefined) {
        const script = prompt.promptInit(ctx.deps, options.init);
        if (script === undefined) {
          throw new UsageError(prompt.unknownShell(options.init));
        }
        ctx.io.stdout.write(script);
        return;
      }
      if (options.prompt) {
        ctx.io.stdout.write(await prompt.promptText(ctx.deps, Boolean(options.withInputs)));
        return;
      }
      await showStatus(ctx);
    });
};
