// What decides the active context (services/context.ts), as things a shell can test without
// starting a process: the shell prompt's cache (`berth status --prompt --init bash|zsh`) asks
// berth again only when the directory, one of `contextVariables` or one of these inputs changed.
import {mkdirSync, readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import type {Deps} from '../deps.js';
import type {Profile} from '../models/profile.js';
import {repositoryConfigFile, searchRepositoryRoot} from '../store/repository-config.js';

/** The variables that choose the context besides the working directory (see deps.ts). */
export const contextVariables = [
  'BERTH_STACK',
  'BERTH_PROFILE',
  'BERTH_REPOSITORY_PATH',
  'BERTH_CONFIG_DIR',
  'XDG_CONFIG_HOME',
  'HOME',
] as const;

/**
 * "Unchanged" means modified before the shell's stamp, which the shell writes before it starts
 * berth (one clock, the file system's: a change after berth read the file cannot look older).
 * - `directory`: still a directory, unchanged: config files are replaced by a rename, and a
 *   renamed file keeps the modification time it was written at, before the rename; the
 *   directory's time shows the rename.
 * - `file`: still there, unchanged. `optional`: absent, or unchanged (a store's -wal file).
 * - `not-directory`: a `.berth` looked at on the way up that is not a directory (one made there
 *   would be a nearer repository root).
 */
export type ContextInput = {
  kind: 'directory' | 'file' | 'optional' | 'not-directory';
  path: string;
};

/** Records the profiles whose store a resolution opens: only those decide whether a stack exists. */
export function recordStoreOpens(deps: Deps): Profile[] {
  const opened: Profile[] = [];
  const open = deps.openStore;
  deps.openStore = (profile) => {
    opened.push(profile);
    return open(profile);
  };
  return opened;
}

/**
 * The inputs of a resolution that opened `openedStores`; undefined when a shell cannot watch them
 * (a team store on PostgreSQL was read: its stacks change on another machine).
 */
export function contextInputs(deps: Deps, openedStores: Profile[]): ContextInput[] | undefined {
  if (openedStores.some((profile) => profile.storeType !== 'local')) return undefined;
  const {root, looked} = searchRepositoryRoot(deps.cwd, deps.env);
  const inputs: ContextInput[] = [
    {kind: 'directory', path: deps.configDir},
    {kind: 'file', path: deps.globalConfig.file},
    {kind: 'optional', path: deps.tokenStore.file},
    // The last one looked at is the root's, when there is a root.
    ...looked.map(
      (candidate, index): ContextInput => ({
        kind: root && index === looked.length - 1 ? 'directory' : 'not-directory',
        path: candidate,
      }),
    ),
  ];
  if (root) inputs.push({kind: 'optional', path: repositoryConfigFile(root)});
  for (const profile of new Set(openedStores)) {
    const file = profile.storeUrl.replace(/^sqlite:/, '');
    inputs.push({kind: 'file', path: file}, {kind: 'optional', path: `${file}-wal`});
  }
  return inputs;
}

/**
 * Makes the folder of the prompt's stamps (one small file per shell, named by its process id)
 * and removes the stamps of shells that have ended. A stamp removed too early only makes that
 * shell ask berth once more.
 */
export function preparePromptStamps(deps: Pick<Deps, 'stateDir'>): void {
  const directory = promptStampDirectory(deps);
  mkdirSync(directory, {recursive: true, mode: 0o700});
  for (const name of readdirSync(directory)) {
    if (/^\d+$/.test(name) && !isRunning(Number(name)))
      rmSync(path.join(directory, name), {force: true});
  }
}

export function promptStampDirectory(deps: Pick<Deps, 'stateDir'>): string {
  return path.join(deps.stateDir, 'prompt');
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
