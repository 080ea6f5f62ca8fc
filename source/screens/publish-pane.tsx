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
// The view is publish-pane-view.tsx; the home screen's publish history is publish-history.tsx.
import {copyFile, mkdir, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {render, type Instance, type RenderOptions} from 'ink';
import {createTheme, ThemeContext} from '../hooks/use-theme.js';
import {errorMessage} from '../lib/errors.js';
import {shouldUseColor} from '../lib/output.js';
import type {PublishEvent, PublishEventHandler} from '../models/publish-events.js';
import {PublishLogModel, type LogModelOptions} from '../services/publish/log-model.js';
import {PublishPaneView, type PaneControl} from './publish-pane-view.js';

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

export async function runPublishPane(initialOptions: PublishPaneOptions): Promise<PublishPane> {
  // `identify` fills in the log file, module and version once the service knows them.
  const options = {...initialOptions};
  const model = new PublishLogModel(options.model);
  const stdout = options.stdout ?? process.stdout;
  const env = options.env ?? process.env;
  const color = options.color ?? shouldUseColor(env, undefined, Boolean(stdout.isTTY));
  const abort = new AbortController();
  let controlRevision = 0;
  let cancelRequested = false;
  let serviceDone = false;
  let leaveWhenDone = false;
  let savedTo: string | undefined;
  // eslint-disable-next-line prefer-const -- control.close() may read it before render() returns
  let instance: Instance | undefined;

  let resolveClosed!: (result: PublishPaneResult) => void;
  const closed = new Promise<PublishPaneResult>((resolve) => (resolveClosed = resolve));
  const result = () => ({cancelled: cancelRequested, savedTo});

  const control: PaneControl = {
    revision: () => model.revision + controlRevision,
    ticking: () => model.runningStep !== null || (!model.finished && model.startedAt !== null),
    get cancelRequested() {
      return cancelRequested;
    },
    get serviceDone() {
      return serviceDone;
    },
    cancel() {
      if (cancelRequested || model.finished || serviceDone) return;
      cancelRequested = true;
      controlRevision++;
      abort.abort();
      options.onCancel?.();
    },
    interrupt() {
      if (serviceDone || leaveWhenDone) return control.close();
      leaveWhenDone = true;
      control.cancel();
    },
    close() {
      instance?.unmount();
    },
    logFile: () => options.logFile,
    async save() {
      const directory =
        options.saveDir ??
        path.join(options.logFile ? path.dirname(options.logFile) : tmpdir(), 'saved');
      await mkdir(directory, {recursive: true});
      const target = path.resolve(directory, saveFileName(model, options));
      if (options.logFile) await copyFile(options.logFile, target);
      else await writeFile(target, model.tail.toArray().join('\n') + '\n');
      savedTo = target;
      return target;
    },
  };

  const removeSignalHandlers = onSignals(() => control.interrupt());
  instance = render(
    <ThemeContext.Provider value={createTheme(color)}>
      <PublishPaneView
        model={model}
        control={control}
        title={options.title}
        flushIntervalMs={options.flushIntervalMs}
      />
    </ThemeContext.Provider>,
    {
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
    },
  );
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
    if (!serviceDone) {
      serviceDone = true;
      controlRevision++;
      if (!model.finished) {
        const at = Date.now();
        if (cancelRequested || abort.signal.aborted)
          model.apply({type: 'state', state: 'cancelled', at});
        else {
          if (outcome.error !== undefined)
            model.apply({type: 'error', message: errorMessage(outcome.error), step: null});
          model.apply({
            type: 'state',
            state: outcome.error !== undefined ? 'failed' : 'published',
            at,
          });
        }
      }
    }
    if (outcome.wait === false || leaveWhenDone) {
      // Draw the outcome before leaving: the last frame stays on the terminal.
      instance?.rerender(
        <ThemeContext.Provider value={createTheme(color)}>
          <PublishPaneView
            model={model}
            control={control}
            title={options.title}
            flushIntervalMs={options.flushIntervalMs}
            final
          />
        </ThemeContext.Provider>,
      );
      instance?.unmount();
    }
    return closed;
  };

  return {
    push,
    signal: abort.signal,
    done: finish,
    identify(publish) {
      options.logFile = publish.logFile;
      options.module = publish.module;
      options.version = publish.version;
    },
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

export function saveFileName(
  model: PublishLogModel,
  options: Pick<PublishPaneOptions, 'module' | 'version' | 'title'>,
): string {
  const module = options.module ?? model.summary?.module;
  const version = options.version ?? model.summary?.version;
  const slug = (text: string) =>
    text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'module';
  if (module && version) return `berth-publish-${slug(module)}-${slug(version)}.log`;
  return `berth-publish-${slug(module ?? options.title)}.log`;
}
