import {resolveContext} from '../services/context.js';
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
    .action(async (options: {prompt?: boolean}) => {
      if (options.prompt) {
        // Normally answered before commander loads (cli.tsx); the same line from here.
        const {promptLine} = await import('./prompt.js');
        ctx.output.line(promptLine(ctx.deps, await resolveContext(ctx.deps)));
        return;
      }
      await showStatus(ctx);
    });
};
