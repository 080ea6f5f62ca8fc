// This directory's checkout (repository, commit, clean, pushed), read after the first frame:
// it starts git processes, and home must not wait for them. Matching against registered
// repositories is local (services/code-reference.ts); no network call.
import {useEffect, useState} from 'react';
import type {Deps} from '../deps.js';
import type {CodeDetection} from '../models/code-reference.js';
import {userFacingError} from './use-active-context.js';

export type CodeReferenceState =
  | {status: 'loading'}
  | {status: 'ready'; detection: CodeDetection}
  | {status: 'error'; message: string};

export function useCodeReference(deps: Deps, version: number, enabled = true): CodeReferenceState {
  const [state, setState] = useState<CodeReferenceState>({status: 'loading'});
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    void (async () => {
      try {
        const [{detectCodeReference}, candidates] = await Promise.all([
          import('../services/code-reference.js'),
          registeredRepositories(deps),
        ]);
        const detection = await detectCodeReference(deps.cwd, candidates);
        if (!cancelled) setState({status: 'ready', detection});
      } catch (error) {
        if (!cancelled) setState({status: 'error', message: userFacingError(error)});
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [deps, version, enabled]);
  return state;
}

/**
 * The registered repositories to match the checkout against.
 * SLOT: wire the code-repositories service here once it lands (its candidate list); until then
 * detection still reports commit, clean and pushed, with `repository: null`.
 */
async function registeredRepositories(_deps: Deps) {
  return [];
}
