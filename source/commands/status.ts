import {resolveContext} from '../services/context.js';
import {announce, type RegisterCommands} from './context.js';

export const registerStatusCommand: RegisterCommands = (program, ctx) => {
  program
    .command('status')
    .description('Show the repository root, the active profile and stack with their source, and this directory\'s code reference.')
    .action(async () => {
      const context = await resolveContext(ctx.deps);
      announce(ctx, context);
      const status = {
        repositoryRoot: context.repositoryRoot,
        profile: {name: context.profile.name, source: context.profileSource},
        stack: {name: context.stackName, source: context.stackSource},
      };
      ctx.output.result(status, () => {
        ctx.output.line(`Repository: ${context.repositoryRoot ?? '(none)'}`);
        ctx.output.line(`Profile:    ${context.profile.name} (${context.profileSource})`);
        ctx.output.line(`Stack:      ${context.stackName} (${context.stackSource})`);
      });
    });
};
