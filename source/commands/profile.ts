import {activeMessage} from '../lib/active-message.js';
import {redactUrl} from '../lib/git-url.js';
import {
  createProfile,
  deleteProfile,
  describeProfile,
  listProfiles,
  setActiveProfile,
  type ProfileView,
} from '../services/profiles.js';
import {announce, type RegisterCommands} from './context.js';

function profileJson(profile: ProfileView) {
  return {
    name: profile.name,
    active: profile.active,
    storeType: profile.storeType,
    storeUrl: redactUrl(profile.storeUrl),
    activeStack: profile.activeStack,
  };
}

export const registerProfileCommands: RegisterCommands = (program, ctx) => {
  const {output} = ctx;
  const profile = program
    .command('profile')
    .description(
      'Create, list and switch profiles (a store of stacks, repositories, modules and runs).',
    );

  profile
    .command('create')
    .description(
      'Create a profile: a local SQLite store by default, or a PostgreSQL store a team shares.',
    )
    .argument('<name>')
    .option('--store-url <url>', 'postgres://USER@HOST:PORT/DB for a team store')
    .action(async (name: string, options: {storeUrl?: string}) => {
      const result = await createProfile(ctx.deps, {name, storeUrl: options.storeUrl});
      announce(ctx, result.context);
      output.success(
        `Created profile '${result.profile.name}' (${result.profile.storeType} store).`,
      );
      output.line(`Switch to it with: berth profile set ${result.profile.name}`);
    });

  profile
    .command('list')
    .description('List profiles.')
    .action(async () => {
      const {profiles, context} = await listProfiles(ctx.deps);
      announce(ctx, context);
      output.result(profiles.map(profileJson), () =>
        output.table(
          ['ACTIVE', 'PROFILE', 'STORE TYPE', 'ACTIVE STACK', 'STORE'],
          profiles.map((p) => [
            p.active ? '*' : '',
            p.name,
            p.storeType,
            p.activeStack,
            redactUrl(p.storeUrl),
          ]),
        ),
      );
    });

  profile
    .command('describe')
    .description('Show a profile (the active one by default).')
    .argument('[name]')
    .action(async (name: string | undefined) => {
      const result = await describeProfile(ctx.deps, name);
      announce(ctx, result.context);
      const view = profileJson(result.profile);
      output.result({...view, source: view.active ? result.context.profileSource : null}, () => {
        output.line(
          `Profile '${view.name}'${view.active ? ` (active, ${result.context.profileSource})` : ''}`,
        );
        output.line(`  store:        ${view.storeType} ${view.storeUrl}`);
        output.line(`  active stack: ${view.activeStack}`);
      });
    });

  profile
    .command('set')
    .description('Set the active profile here (this repository) or --global.')
    .argument('<name>')
    .option('--global', 'set the globally active profile')
    .action(async (name: string, options: {global?: boolean}) => {
      const result = await setActiveProfile(ctx.deps, {name, global: options.global});
      announce(ctx, result.context, {repository: !options.global});
      const {context} = result;
      output.success(
        activeMessage(
          'profile',
          result.profile.name,
          result.scope,
          result.scope === 'global' && context.profileSource === 'local'
            ? context.profile.name
            : undefined,
        ),
      );
    });

  profile
    .command('delete')
    .description('Delete a profile that is not active, with its local store.')
    .argument('<name>')
    .action(async (name: string) => {
      const result = await deleteProfile(ctx.deps, name);
      announce(ctx, result.context);
      output.success(`Deleted profile '${name}'.`);
    });
};
