// `berth token` in a terminal: the token screen on its own; q/Esc quits.
import type {Deps} from '../deps.js';
import {ThemeContext, createTheme} from '../hooks/use-theme.js';
import {shouldUseColor} from '../lib/output.js';
import {TokensScreen} from './tokens.js';
import {renderTui} from '../components/key-input.js';

export async function runTokensScreen(deps: Deps): Promise<void> {
  const theme = createTheme(
    shouldUseColor(
      deps.env,
      process.argv.includes('--no-color') ? false : undefined,
      Boolean(process.stdout.isTTY),
    ),
  );
  const instance = renderTui(
    <ThemeContext.Provider value={theme}>
      <TokensScreen deps={deps} onBack={() => instance.unmount()} />
    </ThemeContext.Provider>,
  );
  await instance.waitUntilExit();
}
