// Redraws a build log on a timer instead of per event (STYLE.md 7): events mutate a model
// outside React; this hook polls its revision ~10 times a second and re-renders only when it
// moved, or when a running timer crosses a second. A burst of 10,000 lines costs one frame.
import {useEffect, useState} from 'react';

export type BuildLogClock = {
  /** Changes whenever what is shown may have changed. */
  revision(): number;
  /** True while something on screen counts time (a running step). */
  ticking(): boolean;
};

export const defaultFlushIntervalMs = 100;

/** Returns the time of the last flush: render timers against it, not against Date.now(). */
export function useBuildLog(clock: BuildLogClock, intervalMs = defaultFlushIntervalMs): number {
  const [frame, setFrame] = useState(() => ({revision: clock.revision(), now: Date.now()}));
  useEffect(() => {
    const timer = setInterval(() => {
      const revision = clock.revision();
      const now = Date.now();
      setFrame((previous) => {
        const secondChanged = Math.floor(now / 1000) !== Math.floor(previous.now / 1000);
        // Returning the previous object makes React skip the render.
        return previous.revision !== revision || (secondChanged && clock.ticking())
          ? {revision, now}
          : previous;
      });
    }, intervalMs);
    return () => clearInterval(timer);
  }, [clock, intervalMs]);
  return frame.now;
}
