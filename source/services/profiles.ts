import {existsSync, rmSync} from 'node:fs';
import type {Deps} from '../deps.js';
import {UsageError, UserError} from '../lib/errors.js';
import {redactUrl} from '../lib/git-url.js';
import {validateName} from '../lib/names.js';
import type {Profile, Source} from '../models/profile.js';
import {repositoryConfigFile, updateRepositoryConfig} from '../store/repository-config.js';
import {
  findProfile,
  newProfile,
  loadGlobalConfig,
  resolveContext,
  seedProfileStore,
  type ActiveContext,
} from './context.js';

export type ProfileView = Profile & {active: boolean};

export async function listProfiles(
  deps: Deps,
): Promise<{profiles: ProfileView[]; context: ActiveContext}> {
  const context = await resolveContext(deps);
  return {
    profiles: context.config.profiles.map((profile) => ({
      ...profile,
      active: profile.name === context.profile.name,
    })),
    context,
  };
}

export async function createProfile(deps: Deps, input: {name: string; storeUrl?: string}) {
  const name = validateName('profile', input.name);
  if (input.storeUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(input.storeUrl)) {
      throw new UsageError(`"${redactUrl(input.storeUrl)}" is not a store URL.`, {
        hint: (f) =>
          `Leave ${f('storeUrl')} out for a local SQLite store, or give postgres://USER@HOST:PORT/DB.`,
      });
    }
    // The URL is kept in config.json: a password there would be a secret on disk.
    if (/\/\/[^@/]*:[^@/]*@/.test(input.storeUrl)) {
      throw new UsageError(
        'The store URL holds a password, and berth keeps store URLs in config.json.',
        {
          hint: 'Leave the password out of the URL and set PGPASSWORD or use ~/.pgpass.',
        },
      );
    }
  }
  // Under config.json's lock, which `profile delete` holds while it removes a store file: the
  // store seeded here is never deleted by a delete of the same name that was still running.
  return deps.globalConfig.lock(async () => {
    const context = await resolveContext(deps);
    const profile = newProfile(deps, name, input.storeUrl);
    if (context.config.profiles.some((p) => p.name === name)) {
      throw new UserError(`A profile named "${name}" exists already.`, {
        hint: (_f, act) => `Switch to it: ${act({kind: 'profile.set', name})}.`,
      });
    }
    // Seed the store before the profile becomes visible, so it is never listed half-made; if
    // the profile can't be listed after all (a full disk, an immutable config.json), the store
    // made for it goes again.
    try {
      await seedProfileStore(deps, await deps.openStore(profile), name);
      await deps.globalConfig.update((config) => {
        config.profiles.push(profile);
      });
    } catch (error) {
      await removeLocalStore(deps, profile);
      throw error;
    }
    return {profile, context};
  });
}

export async function describeProfile(deps: Deps, name?: string) {
  const context = await resolveContext(deps);
  const profile = findProfile(context.config, name ?? context.profile.name);
  return {profile: {...profile, active: profile.name === context.profile.name}, context};
}

/** Sets the active profile here (this repository) or globally; `-` is the previous global one. */
export async function setActiveProfile(deps: Deps, input: {name: string; global?: boolean}) {
  // Checked and written under config.json's lock, which `profile delete` holds.
  return deps.globalConfig.lock(() => setActiveProfileLocked(deps, input));
}

async function setActiveProfileLocked(deps: Deps, input: {name: string; global?: boolean}) {
  if (input.global) await repairGlobalProfile(deps, input.name);
  const context = await resolveContext(deps);
  const scope: Source = context.repositoryRoot && !input.global ? 'local' : 'global';
  let name = input.name;
  if (name === '-') {
    if (!context.config.previousProfile)
      throw new UserError('There is no previous profile to return to yet.');
    name = context.config.previousProfile;
  }
  const profile = findProfile(context.config, name);
  if (scope === 'local' && context.repositoryRoot) {
    await updateRepositoryConfig(context.repositoryRoot, (config) => {
      config.active_profile = profile.name;
      // A stack name only means something within its profile.
      config.active_stack = profile.activeStack;
      delete config.previous_stack;
    });
  } else {
    await deps.globalConfig.update((config) => {
      if (!config.profiles.some((p) => p.name === profile.name))
        throw new UserError(`Profile "${profile.name}" was deleted meanwhile.`);
      if (config.activeProfile !== profile.name)
        config.previousProfile = config.activeProfile ?? null;
      config.activeProfile = profile.name;
    });
  }
  return {profile, previous: context.profile.name, scope, context};
}

/**
 * A global active profile that no longer exists (config.json edited by hand) is replaced by
 * `name` first, so that the command its error suggests repairs it.
 */
async function repairGlobalProfile(deps: Deps, name: string): Promise<void> {
  const config = await loadGlobalConfig(deps);
  const exists = (profile: string) => config.profiles.some((p) => p.name === profile);
  if ((config.activeProfile && exists(config.activeProfile)) || !exists(name)) return;
  await deps.globalConfig.update((current) => {
    current.activeProfile = name;
  });
}

export async function deleteProfile(deps: Deps, name: string) {
  // The checks, config.json and the store files change under one lock (see createProfile).
  return deps.globalConfig.lock(() => deleteProfileLocked(deps, name));
}

async function deleteProfileLocked(deps: Deps, name: string) {
  const context = await resolveContext(deps);
  const profile = findProfile(context.config, name);
  if (context.config.activeProfile === name) {
    throw new UserError(`Profile "${name}" is the global active profile; berth won't delete it.`, {
      hint: (_f, act) => `Switch first: ${act({kind: 'profile.set', global: true})}.`,
    });
  }
  if (context.profile.name === name) {
    throw new UserError(
      `Profile "${name}" is active in the repository at ${context.repositoryRoot}; berth won't delete it.`,
      {
        hint: (_f, act) => `Switch first: ${act({kind: 'profile.set'})}.`,
      },
    );
  }
  await deps.globalConfig.update((config) => {
    if (config.activeProfile === name)
      throw new UserError(`Profile "${name}" became the active profile meanwhile.`);
    config.profiles = config.profiles.filter((p) => p.name !== name);
    if (config.previousProfile === name) config.previousProfile = null;
  });
  await removeLocalStore(deps, profile);
  return {profile, context};
}

/** Removes a local profile's SQLite files (a postgres store is the team's: never touched). */
async function removeLocalStore(deps: Deps, profile: Profile): Promise<void> {
  if (profile.storeType !== 'local') return;
  const file = profile.storeUrl.replace(/^sqlite:/, '');
  // This process may have it open; SQLite must not write it after it is gone.
  await deps.closeStore(profile);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, {force: true});
}

/** `berth init`: makes `path` a berth repository with the current profile and stack. */
export async function initRepository(deps: Deps, root: string) {
  // The stack it names is checked and written under the lock `stack delete` holds.
  return deps.globalConfig.lock(() => initRepositoryLocked(deps, root));
}

async function initRepositoryLocked(deps: Deps, root: string) {
  const context = await resolveContext(deps);
  if (existsSync(repositoryConfigFile(root))) return {root, created: false, context};
  await updateRepositoryConfig(root, (config) => {
    config.active_profile = context.profile.name;
    config.active_stack = context.stackName;
  });
  return {root, created: true, context};
}
