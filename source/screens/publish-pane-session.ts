// One publish as the pane sees it: the log model, the control the view drives (cancel, save)
// and how the service's outcome ends it. The standalone pane (`berth publish` in a terminal,
// publish-pane.tsx) and the TUI's publish screen (publish-here.tsx) both build on it; each host
// says what Ctrl+C and closing do.
import {copyFile, mkdir, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describeError, errorMessage, type Vocabulary} from '../lib/errors.js';
import {screenVocabulary} from './remedies.js';
import {PublishLogModel, type LogModelOptions} from '../services/publish/log-model.js';
import type {PaneControl} from './publish-pane-view.js';

export type PaneSessionOptions = {
  title: string;
  /** Known from the start (else given to `identify` once the service records the publish). */
  logFile?: string;
  module?: string;
  version?: string;
  /** Where `s` saves a copy (default: a `saved` folder beside the log file, else in tmp). */
  saveDir?: string;
  model?: LogModelOptions;
  /** How a failure's next step names fields and actions: the CLI's flags, the TUI's keys. */
  vocabulary?: Vocabulary;
  /** Called once when the user cancels, after `signal` aborted. */
  onCancel?: () => void;
  /** The host's Ctrl+C and close. */
  interrupt: (session: PaneSession) => void;
  close: () => void;
};

export type PaneSession = {
  model: PublishLogModel;
  control: PaneControl;
  /** The service's `signal`: aborted when the user cancels. */
  signal: AbortSignal;
  readonly cancelRequested: boolean;
  readonly serviceDone: boolean;
  readonly savedTo: string | undefined;
  /** Names the publish once the service has recorded it: `s` then copies its full log file. */
  identify(publish: {logFile: string; module: string; version: string}): void;
  /** The service returned (with what it threw, if it did): the model shows the outcome. */
  finish(error?: unknown): void;
};

export function createPaneSession(options: PaneSessionOptions): PaneSession {
  const model = new PublishLogModel(options.model);
  const abort = new AbortController();
  let revision = 0;
  let cancelRequested = false;
  let serviceDone = false;
  let savedTo: string | undefined;
  let nextStep: string | undefined;
  let recorded: {logFile?: string; module?: string; version?: string} = {
    ...(options.logFile ? {logFile: options.logFile} : {}),
    ...(options.module ? {module: options.module} : {}),
    ...(options.version ? {version: options.version} : {}),
  };

  const control: PaneControl = {
    revision: () => model.revision + revision,
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
      revision++;
      abort.abort();
      options.onCancel?.();
    },
    interrupt: () => options.interrupt(session),
    close: () => options.close(),
    logFile: () => recorded.logFile,
    nextStep: () => nextStep,
    async save() {
      const directory =
        options.saveDir ??
        path.join(recorded.logFile ? path.dirname(recorded.logFile) : tmpdir(), 'saved');
      await mkdir(directory, {recursive: true});
      const target = path.resolve(
        directory,
        saveFileName(model, {title: options.title, ...recorded}),
      );
      if (recorded.logFile) await copyFile(recorded.logFile, target);
      else await writeFile(target, model.tail.toArray().join('\n') + '\n');
      savedTo = target;
      return target;
    },
  };

  const session: PaneSession = {
    model,
    control,
    signal: abort.signal,
    get cancelRequested() {
      return cancelRequested;
    },
    get serviceDone() {
      return serviceDone;
    },
    get savedTo() {
      return savedTo;
    },
    identify(publish) {
      recorded = publish;
    },
    finish(error) {
      if (serviceDone) return;
      serviceDone = true;
      revision++;
      if (model.finished) return;
      const at = Date.now();
      if (cancelRequested || abort.signal.aborted)
        model.apply({type: 'state', state: 'cancelled', at});
      else {
        if (error !== undefined) {
          model.apply({type: 'error', message: errorMessage(error), step: null});
          nextStep = describeError(error, options.vocabulary ?? screenVocabulary).hint;
        }
        model.apply({type: 'state', state: error !== undefined ? 'failed' : 'published', at});
      }
    },
  };
  return session;
}

export function saveFileName(
  model: PublishLogModel,
  options: {module?: string; version?: string; title: string},
): string {
  const module = options.module ?? model.summary?.module;
  const version = options.version ?? model.summary?.version;
  const slug = (text: string) =>
    text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'module';
  if (module && version) return `berth-publish-${slug(module)}-${slug(version)}.log`;
  return `berth-publish-${slug(module ?? options.title)}.log`;
}
