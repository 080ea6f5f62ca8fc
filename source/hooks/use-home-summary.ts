// Home's token status and recent publishes and runs, read after the first frame: they open the
// profile store and read files, and home must draw without waiting for them. Tokens are read
// from their metadata only (no secret, so no keychain process and no network).
import {useEffect, useState} from 'react';
import type {Deps} from '../deps.js';
import type {RunRecord} from '../models/run.js';
import type {ModuleView} from '../services/modules.js';
import type {TokenStatus} from '../services/tokens.js';
import {errorText} from '../lib/errors.js';
import {screenVocabulary} from '../screens/remedies.js';

export type Loadable<T> =
  | {status: 'loading'}
  | {status: 'ready'; value: T}
  | {status: 'error'; message: string};

export type RecentActivity = {publishes: ModuleView[]; runs: RunRecord[]};

export type HomeSummary = {tokens: Loadable<TokenStatus[]>; recent: Loadable<RecentActivity>};

export const recentLimit = 5;

/** Newest first, at most `limit`. */
export function newestFirst<T>(items: readonly T[], date: (item: T) => string, limit: number): T[] {
  return [...items]
    .sort((a, b) => (date(a) < date(b) ? 1 : date(a) > date(b) ? -1 : 0))
    .slice(0, limit);
}

export function useHomeSummary(deps: Deps, version: number, enabled = true): HomeSummary {
  const [tokens, setTokens] = useState<Loadable<TokenStatus[]>>({status: 'loading'});
  const [recent, setRecent] = useState<Loadable<RecentActivity>>({status: 'loading'});

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    void (async () => {
      try {
        const {listTokenStatus} = await import('../services/tokens.js');
        const value = listTokenStatus(deps);
        if (!cancelled) setTokens({status: 'ready', value});
      } catch (error) {
        if (!cancelled) setTokens({status: 'error', message: errorText(error, screenVocabulary)});
      }
    })();
    void (async () => {
      try {
        const [{listModules}, {listRuns}] = await Promise.all([
          import('../services/modules.js'),
          import('../services/runs.js'),
        ]);
        const [{modules}, {runs}] = await Promise.all([listModules(deps), listRuns(deps)]);
        const value = {
          publishes: newestFirst(modules, (module) => module.createdAt, recentLimit),
          runs: newestFirst(runs, (run) => run.startedAt, recentLimit),
        };
        if (!cancelled) setRecent({status: 'ready', value});
      } catch (error) {
        if (!cancelled) setRecent({status: 'error', message: errorText(error, screenVocabulary)});
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [deps, version, enabled]);

  return {tokens, recent};
}
