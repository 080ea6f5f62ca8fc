// The dependency factory reaches screens through context, so a screen written by another
// engineer needs no prop drilling and tests can hand in deps built for a temp directory.
import {createContext, useContext} from 'react';
import type {Deps} from '../deps.js';

export const DepsContext = createContext<Deps | undefined>(undefined);

export function useDeps(): Deps {
  const deps = useContext(DepsContext);
  if (!deps) throw new Error('useDeps() outside <DepsContext.Provider>');
  return deps;
}
