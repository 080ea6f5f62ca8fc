// The TUI entry, imported lazily by cli.tsx so that plain commands never load React or Ink.
//
// First frame: Ink, React and yoga (a WebAssembly layout engine) take ~100 ms to load, three
// times a bare Node start. So this file imports none of them: it resolves the active context
// from local files, draws home as plain text, and only then loads the app; when Ink is ready it
// erases that text and takes over with the same content.
import type {Deps} from './deps.js';
import {createDeps} from './deps.js';
import {ExitCode} from './lib/errors.js';
import {shouldUseColor} from './lib/output.js';
import type {ScreenId} from './screens/navigation.js';
import {isFirstRun, resolveContext, type ActiveContext} from './services/context.js';

export type TuiOptions = {screen?: ScreenId; deps?: Deps};

export async function runTui(options: TuiOptions): Promise<number> {
  const deps = options.deps ?? createDeps();
  const stdout = process.stdout;
  // First run: no global config yet. The wizard writes it only when the user applies.
  const firstRun = isFirstRun(deps);
  const initialScreen = options.screen ?? (firstRun ? 'setup' : 'home');
  const color = shouldUseColor(
    deps.env,
    process.argv.includes('--no-color') ? false : undefined,
    Boolean(stdout.isTTY),
  );
  let initialContext: ActiveContext | undefined;
  let drawnLines = 0;
  if (initialScreen === 'home') {
    // A broken config is shown by the app itself, with the rest of home.
    initialContext = await resolveContext(deps).catch(() => undefined);
    if (initialContext && stdout.isTTY) {
      // Keys typed while Ink loads must neither echo nor wait for a newline; Ink reads them.
      process.stdin.setRawMode?.(true);
      drawnLines = drawHome(initialContext, stdout.columns || 80);
    }
  }

  // Only now: evaluating Ink and yoga blocks the thread, and the plain frame must not wait.
  let mounted: typeof import('./app.js').mountApp;
  try {
    ({mountApp: mounted} = await import('./app.js'));
  } catch (error) {
    if (drawnLines) {
      process.stdin.setRawMode?.(false);
      stdout.write('\u001b[?25h');
    }
    throw error;
  }
  // Cursor to the first line of the plain frame, then erase to the end of the screen.
  if (drawnLines) stdout.write(`\u001b[${drawnLines}A\r\u001b[0J`);
  const instance = mounted({
    deps,
    initialScreen,
    initialContext,
    setupOnly: options.screen === 'setup',
    color,
  });

  // Before raw mode is on (or if a signal arrives from elsewhere), end through the same path.
  let signalled = false;
  const onSignal = () => {
    signalled = true;
    instance.unmount();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await instance.waitUntilExit();
    if (signalled) return ExitCode.cancelled;
    return typeof result === 'number' ? result : ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await deps.close().catch(() => undefined);
  }
}

/** Home as plain text (no color, cursor hidden), the same rows Ink draws next. Returns its height. */
function drawHome(context: ActiveContext, columns: number): number {
  const row = (label: string, value: string) => ` ${label.padEnd(12)}${value}`;
  const lines = [
    ' berth · home',
    '',
    row('Profile', `${context.profile.name} (${context.profileSource})`),
    row('Stack', `${context.stackName} (${context.stackSource})`),
    row('Repository', context.repositoryRoot ?? 'not a berth repository — press i to init'),
    row('Code', 'reading git…'),
    row('Tokens', 'reading…'),
    row('Recent', 'reading…'),
  ].map((line) => (line.length >= columns ? line.slice(0, Math.max(columns - 1, 1)) : line));
  process.stdout.write(`\u001b[?25l${lines.join('\n')}\n`);
  return lines.length;
}
