// The one place that builds real clients (gh's Factory). Members are created on first use, so
// a command pays only for what it touches: `berth stack list` never loads dockerode or React.
import os from 'node:os';
import path from 'node:path';
import type {Profile} from './models/profile.js';
import {GlobalConfigStore} from './store/global-config.js';
import {openSqliteStore} from './store/sqlite-store.js';
import {OsKeychain, type Keychain} from './clients/keychain.js';
import {TokenStore} from './store/token-store.js';
import type {ProfileStore} from './store/profile-store.js';

/** A profile or stack named for one command (`--profile`/`--stack`), over everything else. */
export type ContextOverrides = {profile?: string; stack?: string};

export type Deps = {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Set by the CLI from `--profile`/`--stack`; `BERTH_PROFILE`/`BERTH_STACK` come from env. */
  overrides: ContextOverrides;
  configDir: string;
  /** Logs and crash reports: see `stateDirFor`. */
  stateDir: string;
  globalConfig: GlobalConfigStore;
  /** The store of a profile, opened once per process. */
  openStore(profile: Profile): Promise<ProfileStore>;
  /** Closes a profile's store if this process opened it (before its files are removed). */
  closeStore(profile: Profile): Promise<void>;
  /** The OS keychain (berth's entries live under service `berth`). */
  keychain: Keychain;
  /** Token metadata and --insecure-storage secrets in the config dir. */
  tokenStore: TokenStore;
  close(): Promise<void>;
};

export type DepsOptions = {env?: NodeJS.ProcessEnv; cwd?: string; overrides?: ContextOverrides};

/**
 * berth's state (publish logs, crash reports): `$BERTH_STATE_DIR`; else `state/` inside
 * `$BERTH_CONFIG_DIR` when that is set (one folder holds everything, as tests and second set-ups
 * expect); else `$XDG_STATE_HOME/berth` (default `~/.local/state/berth`). Never the project.
 */
export function stateDirFor(env: NodeJS.ProcessEnv): string {
  if (env.BERTH_STATE_DIR) return path.resolve(env.BERTH_STATE_DIR);
  if (env.BERTH_CONFIG_DIR) return path.join(path.resolve(env.BERTH_CONFIG_DIR), 'state');
  const xdg = env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(xdg, 'berth');
}

export function configDirFor(env: NodeJS.ProcessEnv): string {
  if (env.BERTH_CONFIG_DIR) return path.resolve(env.BERTH_CONFIG_DIR);
  const xdg = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(xdg, 'berth');
}

export function createDeps(options: DepsOptions = {}): Deps {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const configDir = configDirFor(env);
  const stores = new Map<string, Promise<ProfileStore>>();
  let keychain: Keychain | undefined;
  let tokenStore: TokenStore | undefined;

  return {
    env,
    cwd,
    overrides: options.overrides ?? {},
    configDir,
    stateDir: stateDirFor(env),
    globalConfig: new GlobalConfigStore(configDir),
    openStore(profile) {
      let store = stores.get(profile.storeUrl);
      if (!store) {
        store = openProfileStore(profile);
        stores.set(profile.storeUrl, store);
      }
      return store;
    },
    async closeStore(profile) {
      const store = stores.get(profile.storeUrl);
      stores.delete(profile.storeUrl);
      await (await store?.catch(() => undefined))?.close();
    },
    get keychain() {
      keychain ??= new OsKeychain({env});
      return keychain;
    },
    get tokenStore() {
      tokenStore ??= new TokenStore(configDir);
      return tokenStore;
    },
    async close() {
      for (const store of stores.values()) await (await store.catch(() => undefined))?.close();
      stores.clear();
    },
  };
}

async function openProfileStore(profile: Profile): Promise<ProfileStore> {
  switch (profile.storeType) {
    case 'local':
      return openSqliteStore(profile.storeUrl.replace(/^sqlite:/, ''));
    case 'postgres': {
      const {openPostgresStore} = await import('./store/postgres-store.js');
      return openPostgresStore(profile.storeUrl, profile.name);
    }
  }
}
