// Every berth Ink app reads the terminal one keypress at a time (lib/keypresses.ts), and text
// fields tell that reader when runs of typed text are text (help-host.tsx, useTextEntry).
import {render, type Instance, type RenderOptions} from 'ink';
import {createContext, type ReactNode} from 'react';
import {keyByKey} from '../lib/keypresses.js';

export const KeyInputContext = createContext<{claimText(): () => void}>({
  claimText: () => () => {},
});

/** Ink's render() with stdin read key by key; rerender keeps the reader. */
export function renderTui(node: ReactNode, options: RenderOptions = {}): Instance {
  const input = keyByKey(options.stdin ?? process.stdin);
  const wrap = (content: ReactNode) => (
    <KeyInputContext.Provider value={input}>{content}</KeyInputContext.Provider>
  );
  const instance = render(wrap(node), {...options, stdin: input.stdin});
  return {...instance, rerender: (content: ReactNode) => instance.rerender(wrap(content))};
}
