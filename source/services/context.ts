// Which profile and stack are active here, and why (ZenML 0.7–0.10 resolution):
// repository root = $BERTH_REPOSITORY_PATH or the nearest ancestor holding `.berth/`;
// profile = the repository's if it names one that exists, else the global one;
// stack = the repository's if it names one that exists in that profile, else the profile's.
import {existsSync, rmSync, statSync} from 'node:fs';
import path from 'node:path';
import type {Deps} from '../deps.js';
import {UserError, type FieldText} from '../lib/errors.js';
import {withLock} from '../lib/lock.js';
import type {ContextSource, GlobalConfig, Profile, RepositoryConfig} from '../models/profile.js';
import {componentKey, type Component, type Stack} from '../models/stack.js';
import type {ProfileStore} from '../store/profile-store.js';
import {
  findRepositoryRoot,
  readRepositoryConfig,
  repositoryConfigFile,
} from '../store/repository-config.js';

export const defaultProfileName = 'default';
export const defaultStackName = 'default';

export type ActiveContext = {
  repositoryRoot: string | null;
  repositoryConfig: RepositoryConfig;
  config: GlobalConfig;
  profile: Profile;
  profileSource: ContextSource;
  stackName: string;
  stackSource: ContextSource;
  /** What resolution had to work around (a local config naming something that is gone). */
  notices: string[];
};

export function now(): string {
  return new Date().toISOString();
}

export function localStoreUrl(deps: Deps, profileName: string): string {
  return `sqlite:${path.join(deps.configDir, 'profiles', `${profileName}.db`)}`;
}

/** A profile record for a new profile; its store is seeded by `seedProfileStore`. */
export function newProfile(deps: Deps, name: string, storeUrl?: string): Profile {
  return {
    name,
    storeType: storeUrl?.startsWith('postgres') ? 'postgres' : 'local',
    storeUrl: storeUrl ?? localStoreUrl(deps, name),
    activeStack: defaultStackName,
    previousStack: null,
    createdAt: now(),
  };
}

/**
 * The default stack publishes and runs on one machine with nothing but a Docker engine: the docker
 * orchestrator and image builder on the local engine (DOCKER_HOST, else the local socket), the
 * engine's own image store as the container registry, a local artifact store. Returns whether it
 * seeded (a store that has stacks already is left alone: existing profiles keep theirs).
 */
export async function seedProfileStore(
  deps: Deps,
  store: ProfileStore,
  profileName: string,
): Promise<boolean> {
  const createdAt = now();
  const components = store.collection<Component>('components');
  const stacks = store.collection<Stack>('stacks');
  const seeded: Array<Omit<Component, 'createdAt'>> = [
    {type: 'orchestrator', name: 'default', flavor: 'docker', options: {}},
    {
      type: 'artifact_store',
      name: 'default',
      flavor: 'local',
      options: {path: path.join(deps.configDir, 'artifacts', profileName)},
    },
    {type: 'container_registry', name: 'default', flavor: 'local', options: {}},
    {type: 'image_builder', name: 'default', flavor: 'docker', options: {}},
  ];
  return store.transaction(async () => {
    if ((await stacks.get(defaultStackName)) || (await stacks.list()).length > 0) return false;
    for (const component of seeded) {
      const key = componentKey(component.type, component.name);
      if (!(await components.get(key))) await components.put(key, {...component, createdAt});
    }
    await stacks.put(defaultStackName, {
      name: defaultStackName,
      components: {
        orchestrator: 'default',
        artifact_store: 'default',
        container_registry: 'default',
        image_builder: 'default',
      },
      createdAt,
    });
    return true;
  });
}

/** No global config yet: nothing has been set up (the wizard writes it only when applied). */
export function isFirstRun(deps: Deps): boolean {
  return !existsSync(deps.globalConfig.file);
}

/**
 * Reads the global config, creating profile `default` with stack `default` on a first run. The
 * store is seeded before config.json names the profile, so an interrupted first run (a kill,
 * Ctrl+C, a full disk) leaves either nothing or a store that the next run adopts.
 */
export async function loadGlobalConfig(deps: Deps): Promise<GlobalConfig> {
  const config = deps.globalConfig.read();
  if (config.profiles.length > 0 && config.activeProfile) return config;
  if (config.profiles.length === 0) {
    const profile = newProfile(deps, defaultProfileName);
    await seedProfileStore(deps, await deps.openStore(profile), profile.name);
  }
  return deps.globalConfig.update((current) => {
    if (current.profiles.length === 0) current.profiles.push(newProfile(deps, defaultProfileName));
    current.activeProfile ??= current.profiles[0]?.name;
  });
}

/**
 * Repairs a local profile store whose creation was interrupted: a missing file or an empty one
 * (0 bytes: SQLite would read it as a store without stacks). Returns the notice to show, if any.
 */
export async function healProfileStore(deps: Deps, profile: Profile): Promise<string | undefined> {
  if (profile.storeType !== 'local') return undefined;
  const file = profile.storeUrl.replace(/^sqlite:/, '');
  const state = () => {
    try {
      return statSync(file).size === 0 ? 'empty' : 'ok';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
  };
  if (state() === 'ok') return undefined;
  const found = await withLock(file, async () => {
    const now = state();
    if (now === 'empty') {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, {force: true});
    }
    if (now !== 'ok') await seedProfileStore(deps, await deps.openStore(profile), profile.name);
    return now;
  });
  if (found === 'ok') return undefined;
  return `The store of profile '${profile.name}' (${file}) was ${found === 'empty' ? 'empty (0 bytes)' : 'missing'}: its creation was interrupted. berth created it afresh with stack '${defaultStackName}'.`;
}

export async function resolveContext(deps: Deps): Promise<ActiveContext> {
  const config = await loadGlobalConfig(deps);
  const notices: string[] = [];
  const repositoryRoot = findRepositoryRoot(deps.cwd, deps.env) ?? null;
  const repositoryConfig = repositoryRoot ? await readRepositoryConfig(repositoryRoot) : {};
  const configFile = repositoryRoot ? repositoryConfigFile(repositoryRoot) : '';

  const globalProfile = config.profiles.find((p) => p.name === config.activeProfile);
  if (!globalProfile) {
    throw new UserError(`The global active profile "${config.activeProfile}" does not exist.`, {
      hint: (_f, act) =>
        `Choose one of ${config.profiles.map((p) => p.name).join(', ')}: ${act({kind: 'profile.set', global: true, file: deps.globalConfig.file})}.`,
    });
  }
  let profile = globalProfile;
  let profileSource: ContextSource = 'global';
  if (repositoryConfig.active_profile) {
    const local = config.profiles.find((p) => p.name === repositoryConfig.active_profile);
    if (local) {
      profile = local;
      profileSource = 'local';
    } else {
      notices.push(
        `${configFile} names profile '${repositoryConfig.active_profile}', which does not exist; using the global profile '${globalProfile.name}'.`,
      );
    }
  }

  // `--profile` / `BERTH_PROFILE` win; the repository's stack then applies only to the profile
  // it was chosen in.
  const profileOverride = contextOverride(deps, 'profile');
  const repositoryProfile = profile;
  if (profileOverride) {
    profile = findProfile(config, profileOverride.name, profileOverride.from);
    profileSource = profileOverride.source;
  }
  const healed = await healProfileStore(deps, profile);
  if (healed) notices.push(healed);

  let stackName = profile.activeStack;
  let stackSource: ContextSource = 'global';
  const stackOverride = contextOverride(deps, 'stack');
  if (stackOverride) {
    const store = await deps.openStore(profile);
    if (!(await store.collection<Stack>('stacks').get(stackOverride.name))) {
      throw new UserError(
        `No stack named "${stackOverride.name}" in profile '${profile.name}' (from ${stackOverride.from}).`,
        {
          hint: (_f, act) =>
            `Change ${stackOverride.from}, or see the stacks: ${act({kind: 'stack.list'})}.`,
        },
      );
    }
    stackName = stackOverride.name;
    stackSource = stackOverride.source;
  } else if (repositoryConfig.active_stack && profile.name === repositoryProfile.name) {
    const store = await deps.openStore(profile);
    if (await store.collection<Stack>('stacks').get(repositoryConfig.active_stack)) {
      stackName = repositoryConfig.active_stack;
      stackSource = 'local';
    } else {
      notices.push(
        `${configFile} names stack '${repositoryConfig.active_stack}', which does not exist in profile '${profile.name}'; using its active stack '${profile.activeStack}'.`,
      );
    }
  }
  return {
    repositoryRoot,
    repositoryConfig,
    config,
    profile,
    profileSource,
    stackName,
    stackSource,
    notices,
  };
}

export function outsideRepositoryWarning(cwd: string): FieldText {
  return (_f, act) =>
    `No berth repository in ${cwd} or any parent directory. Make one here (${act({kind: 'init'})}), or set BERTH_REPOSITORY_PATH.`;
}

/** A profile by name; `from` names where the name came from (a flag, a variable). */
export function findProfile(config: GlobalConfig, name: string, from?: string): Profile {
  const profile = config.profiles.find((p) => p.name === name);
  if (!profile) {
    throw new UserError(`No profile named "${name}"${from ? ` (from ${from})` : ''}.`, {
      hint: (_f, act) =>
        `${from ? `Change ${from}, or see` : 'See'} the profiles: ${act({kind: 'profile.list'})}.`,
    });
  }
  return profile;
}

const overrideVariables = {profile: 'BERTH_PROFILE', stack: 'BERTH_STACK'} as const;

/** A profile or stack named for this command (flag) or this shell (variable), if any. */
export function contextOverride(
  deps: Pick<Deps, 'env' | 'overrides'>,
  kind: 'profile' | 'stack',
): {name: string; source: 'flag' | 'env'; from: string} | undefined {
  const flag = deps.overrides[kind];
  if (flag) return {name: flag, source: 'flag', from: `--${kind}`};
  const variable = overrideVariables[kind];
  const value = deps.env[variable]?.trim();
  if (value) return {name: value, source: 'env', from: variable};
  return undefined;
}
