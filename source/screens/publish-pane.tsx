// The publish pane: a live view of one publish, fed by the publish service's events.
//
// Usage from the publish command (in a TTY, without --plain), lazy-imported so plain runs
// never load Ink:
//
//   const {runPublishPane} = await import('../screens/publish-pane.js');
//   const pane = await runPublishPane({title: 'resnet-filter', logFile});
//   let error: unknown;
//   const result = await publishModule(deps, input, {onEvent: pane.push, signal: pane.signal}).catch((e) => {
//     error = e;
//   });
//   const closed = await pane.done({error}); // waits for q/Esc (returns at once after Ctrl+C)
//
// `push` only mutates a model (services/publish/log-model.ts); the pane redraws from it on a
// ~10 fps timer, so it keeps up with any build however fast it logs. `signal` aborts when the
// user cancels (`c`, Ctrl+C, SIGINT); the service then stops and reports `cancelled`. The
// pane never writes the log file — the service does; `s` copies it.
//
// The view is publish-pane-view.tsx; the TUI's publish screen is publish-here.tsx.
import type {Instance, RenderOptions} from 'ink';
import {createTheme, ThemeContext} from '../hooks/use-theme.js';
import type {Vocabulary} from '../lib/errors.js';
import {shouldUseColor} from '../lib/output.js';
import type {PublishEvent, PublishEventHandler} from '../models/publish-events.js';
import type {LogModelOptions, PublishLogModel} from '../services/publish/log-model.js';
import {createPaneSession} from './publish-pane-session.js';
import {PublishPaneView} from './publish-pane-view.js';
import {renderTui} from '../components/key-input.js';

export type PublishEventSource =
  | ((handler: PublishEventHandler) => () => void)
  | AsyncIterable<PublishEvent>;

export type PublishPaneOptions = {
  /** What is being published, shown in the title (`resnet-filter`, a path...). */
  title: string;
  /** The full log the service writes; `s` copies it. Without one, `s` saves the lines kept in memory. */
  logFile?: string;
  /** Names the saved copy `berth-publish-<module>-<version>.log` (else taken from the summary). */
  module?: string;
  version?: string;
  /**
   * Where `s` saves a copy: berth passes its state directory's `logs/saved` (never the project).
   * Default: a `saved` folder beside the log file, else one in the temp directory.
   */
  saveDir?: string;
  /** Events from elsewhere, instead of (or as well as) calling `push`. */
  events?: PublishEventSource;
  /** Called once when the user cancels, after `signal` aborted. */
  onCancel?: () => void;
  /** How a failure's next step names fields and actions (the command passes its flags). */
  vocabulary?: Vocabulary;
  /** Default: NO_COLOR / FORCE_COLOR and whether stdout is a TTY. */
  color?: boolean;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  model?: LogModelOptions;
  /** Redraw period (default 100 ms, BuildKit's rate). */
  flushIntervalMs?: number;
  /** Passed to Ink (benchmarks count frames with it). */
  onRender?: RenderOptions['onRender'];
};

export type PublishPaneResult = {
  /** The user asked to cancel (`c`, Ctrl+C or SIGINT). */
  cancelled: boolean;
  /** Where `s` saved the log, if it did. */
  savedTo: string | undefined;
};

export type PublishPane = {
  /** The service's `onEvent`. */
  push: PublishEventHandler;
  /** The service's `signal`: aborted when the user cancels. */
  signal: AbortSignal;
  /**
   * The service finished (pass what it threw, if it did). Shows the outcome and resolves when
   * the user closes the pane — at once if they already asked to leave (Ctrl+C) or `wait` is false.
   */
  done(outcome?: {error?: unknown; wait?: boolean}): Promise<PublishPaneResult>;
  /** Names the publish once the service has recorded it: `s` then copies its full log file. */
  identify(publish: {logFile: string; module: string; version: string}): void;
  /** Closes the pane now. */
  close(): Promise<PublishPaneResult>;
  /** Resolves when the pane has closed and the terminal is restored. */
  readonly closed: Promise<PublishPaneResult>;
  readonly model: PublishLogModel;
};

export async function runPublishPane(options: PublishPaneOptions): Promise<PublishPane> {
  const stdout = options.stdout ?? process.stdout;
  const env = options.env ?? process.env;
  const color = options.color ?? shouldUseColor(env, undefined, Boolean(stdout.isTTY));
  let leaveWhenDone = false;
  // eslint-disable-next-line prefer-const -- control.close() may read it before render() returns
  let instance: Instance | undefined;

  let resolveClosed!: (result: PublishPaneResult) => void;
  const closed = new Promise<PublishPaneResult>((resolve) => (resolveClosed = resolve));

  const session = createPaneSession({
    title: options.title,
    ...(options.logFile ? {logFile: options.logFile} : {}),
    ...(options.module ? {module: options.module} : {}),
    ...(options.version ? {version: options.version} : {}),
    ...(options.saveDir ? {saveDir: options.saveDir} : {}),
    ...(options.model ? {model: options.model} : {}),
    ...(options.onCancel ? {onCancel: options.onCancel} : {}),
    ...(options.vocabulary ? {vocabulary: options.vocabulary} : {}),
    // Ctrl+C cancels a running publish and leaves once it stopped; a second one leaves now.
    interrupt(current) {
      if (current.serviceDone || leaveWhenDone) return current.control.close();
      leaveWhenDone = true;
      current.control.cancel();
    },
    close: () => instance?.unmount(),
  });
  const {model, control} = session;
  const result = () => ({cancelled: session.cancelRequested, savedTo: session.savedTo});

  const removeSignalHandlers = onSignals(() => control.interrupt());
  const view = (final: boolean) => (
    <ThemeContext.Provider value={createTheme(color)}>
      <PublishPaneView
        model={model}
        control={control}
        title={options.title}
        flushIntervalMs={options.flushIntervalMs}
        final={final}
      />
    </ThemeContext.Provider>
  );
  instance = renderTui(view(false), {
    stdout,
    stdin: options.stdin ?? process.stdin,
    stderr: options.stderr ?? process.stderr,
    exitOnCtrlC: false,
    patchConsole: false,
    // The pane is only run on a TTY; a CI variable must not turn it into a final-frame dump.
    interactive: Boolean(stdout.isTTY),
    incrementalRendering: true,
    maxFps: 30,
    ...(options.onRender ? {onRender: options.onRender} : {}),
  });
  const exited = instance.waitUntilExit().then(
    () => undefined,
    () => undefined,
  );
  void exited.then(() => {
    removeSignalHandlers();
    stopEvents();
    resolveClosed(result());
  });

  const push: PublishEventHandler = (event) => model.apply(event);
  const stopEvents = subscribe(options.events, push);

  const finish = (outcome: {error?: unknown; wait?: boolean} = {}) => {
    session.finish(outcome.error);
    if (outcome.wait === false || leaveWhenDone) {
      // Draw the outcome before leaving: the last frame stays on the terminal.
      instance?.rerender(view(true));
      instance?.unmount();
    }
    return closed;
  };

  return {
    push,
    signal: session.signal,
    done: finish,
    identify: (publish) => session.identify(publish),
    close: () => {
      control.close();
      return closed;
    },
    closed,
    model,
  };
}

function subscribe(source: PublishEventSource | undefined, push: PublishEventHandler): () => void {
  if (!source) return () => undefined;
  if (typeof source === 'function') return source(push);
  let stopped = false;
  void (async () => {
    for await (const event of source) {
      if (stopped) break;
      push(event);
    }
  })();
  return () => {
    stopped = true;
  };
}

function onSignals(handler: () => void): () => void {
  // A SIGINT from outside the terminal (kill -INT) takes the same path as Ctrl+C.
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

export {saveFileName} from './publish-pane-session.js';
