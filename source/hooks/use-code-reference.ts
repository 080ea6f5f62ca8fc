// This directory's checkout (repository, commit, clean, pushed), read after the first frame:
// it starts git processes, and home must not wait for them. Matching against registered
// repositories is local (services/code-reference.ts); no network call.
import {useEffect, useState} from 'react';
import type {Deps} from '../deps.js';
import type {CodeDetection} from '../models/code-reference.js';
import {errorText} from '../lib/errors.js';
import {screenVocabulary} from '../screens/remedies.js';

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
        const {getCodeReference} = await import('../services/code-repositories/detect.js');
        const {detection} = await getCodeReference(deps, deps.cwd);
        if (!cancelled) setState({status: 'ready', detection});
      } catch (error) {
        if (!cancelled) setState({status: 'error', message: errorText(error, screenVocabulary)});
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [deps, version, enabled]);
  return state;
}
