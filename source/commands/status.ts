import {errorMessage} from '../lib/errors.js';
import {getCodeReference} from '../services/code-repositories/detect.js';
import {resolveContext} from '../services/context.js';
import {announce, type RegisterCommands} from './context.js';

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
      const context = await resolveContext(ctx.deps);
      announce(ctx, context, {repository: true});
      const status = {
        repositoryRoot: context.repositoryRoot,
        profile: {name: context.profile.name, source: context.profileSource},
        stack: {name: context.stackName, source: context.stackSource},
      };
      // This directory's code reference: local only (git + the profile store), never fatal.
      const code = await getCodeReference(ctx.deps, ctx.deps.cwd, {context}).catch(
        (error: unknown) => {
          ctx.output.warn(`Can't read this directory's checkout: ${errorMessage(error)}`);
          return undefined;
        },
      );
      const detection = code?.detection ?? null;
      ctx.output.result(
        {...status, checkout: detection, codeReference: code?.codeReference ?? null},
        () => {
          ctx.output.line(`Repository: ${context.repositoryRoot ?? '(none)'}`);
          ctx.output.line(`Profile:    ${context.profile.name} (${context.profileSource})`);
          ctx.output.line(`Stack:      ${context.stackName} (${context.stackSource})`);
          if (detection?.gitRoot) {
            ctx.output.line(
              `Code:       ${detection.repository ?? '(no registered repository)'}${detection.remote ? ` via ${detection.remote}` : ''}`,
            );
            ctx.output.line(
              `Commit:     ${detection.commit ?? '(none)'}${detection.subdirectory ? ` in ${detection.subdirectory}/` : ''}`,
            );
            ctx.output.line(
              `Clean:      ${detection.clean ? 'yes' : 'no'}   Pushed: ${detection.pushed ? 'yes' : 'no'}`,
            );
            if (detection.reason) ctx.output.line(`Reference:  none (${detection.reason})`);
          } else ctx.output.line('Code:       not a git checkout');
        },
      );
    });
};
