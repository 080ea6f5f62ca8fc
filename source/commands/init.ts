import path from 'node:path';
import {initRepository} from '../services/profiles.js';
import type {RegisterCommands} from './context.js';

export const registerInitCommand: RegisterCommands = (program, ctx) => {
  program
    .command('init')
    .description('Make a directory a berth repository with its own active profile and stack.')
    .option('--path <dir>', 'the directory (default: the current one)')
    .action(async (options: {path?: string}) => {
      const root = path.resolve(ctx.deps.cwd, options.path ?? '.');
      const result = await initRepository(ctx.deps, root);
      if (!result.created) {
        ctx.output.line(`${root} is a berth repository already.`);
        return;
      }
      ctx.output.success(`Initialized a berth repository at ${root}.`);
      ctx.output.line(
        `Its active profile is '${result.context.profile.name}' and its active stack '${result.context.stackName}'; they apply in ${root} and below.`,
      );
    });
};
