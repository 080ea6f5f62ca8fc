// `berth logs`: the whole log of a publish (MODULE@VERSION) or a run (RUN_ID) from the vault,
// optionally filtered, cut to its last lines, or followed while it is still being written.
import {existsSync} from 'node:fs';
import type {Deps} from '../deps.js';
import {UsageError, UserError} from '../lib/errors.js';
import type {ModuleVersionRecord} from '../models/module-version.js';
import type {RunRecord} from '../models/run.js';
import {resolveContext, type ActiveContext} from './context.js';
import {LogVaultReader, publishLogKey, runLogKey} from './log-vault.js';
import {findModuleVersion} from './modules.js';

export type LogSubject = {
  /** `resnet@3` or the run id, for messages. */
  title: string;
  kind: 'publish' | 'run';
  reader: LogVaultReader;
  /** The build or run is over (its record says so), so a follower can stop. */
  finished(): Promise<boolean>;
  context: ActiveContext;
};

const finishedStates = new Set(['published', 'failed', 'cancelled', 'succeeded']);

export async function openLog(deps: Deps, ref: string): Promise<LogSubject> {
  const context = await resolveContext(deps);
  const store = await deps.openStore(context.profile);
  if (ref.includes('@')) {
    const {module} = await findModuleVersion(deps, ref, context);
    const title = `${module.slug}@${module.version}`;
    const reader = await LogVaultReader.open(store, publishLogKey(module.slug, module.version));
    if (!reader) throw missingLog(title, module.logFile);
    return {
      title,
      kind: 'publish',
      reader,
      context,
      finished: async () => {
        const now = await store
          .collection<ModuleVersionRecord>('modules')
          .get(`${module.slug}@${module.version}`);
        return !now || finishedStates.has(now.status);
      },
    };
  }
  const run = await store.collection<RunRecord>('runs').get(ref);
  if (!run) {
    throw new UsageError(`No run with id "${ref}", and no version in it.`, {
      hint: (_f, act) =>
        `Write MODULE@VERSION for a publish log (${act({kind: 'module.list'})}) or a run id (${act({kind: 'runs.list'})}).`,
    });
  }
  const reader = await LogVaultReader.open(store, runLogKey(run.id));
  if (!reader) throw missingLog(run.id, undefined);
  return {
    title: run.id,
    kind: 'run',
    reader,
    context,
    finished: async () => {
      const now = await store.collection<RunRecord>('runs').get(run.id);
      return !now || finishedStates.has(now.status);
    },
  };
}

function missingLog(title: string, file: string | undefined): UserError {
  return new UserError(`The store holds no log of ${title}.`, {
    hint:
      file && existsSync(file)
        ? `It was recorded before the log vault; its log file is ${file}.`
        : 'Logs are kept from this version of berth on.',
  });
}

export type ReadLogOptions = {
  grep?: RegExp;
  tail?: number;
  follow?: boolean;
  signal?: AbortSignal;
  /** How often a follower polls the store. */
  pollMs?: number;
  onLine(line: string): void;
  /** Takes whole blocks of lines (each ending with a newline) when nothing filters them. */
  onText?: (text: Buffer) => void;
};

/** Prints (through `onLine`) the selected lines, then, when following, new lines until the end. */
export async function readLog(subject: LogSubject, options: ReadLogOptions): Promise<void> {
  const {reader} = subject;
  const {onLine} = options;
  const keep = (line: string) => {
    if (!options.grep) return true;
    options.grep.lastIndex = 0;
    return options.grep.test(line);
  };
  let next: number;
  if (options.tail !== undefined && !options.grep) {
    const from = Math.max(0, reader.lineCount - options.tail);
    for (const line of await reader.lines(from, options.tail)) onLine(line);
    next = reader.lineCount;
  } else if (options.tail !== undefined) {
    // The last N matches: a ring of N lines, whatever the log's size.
    const ring: string[] = [];
    for await (const line of reader.stream(0)) {
      if (!keep(line)) continue;
      ring.push(line);
      if (ring.length > options.tail) ring.shift();
    }
    for (const line of ring) onLine(line);
    next = reader.lineCount;
  } else if (!options.grep && options.onText) {
    // The whole log, a chunk of text at a time (no line splitting).
    for await (const text of reader.texts()) options.onText(text);
    next = reader.lineCount;
  } else {
    next = 0;
    for await (const line of reader.stream(0)) {
      next++;
      if (keep(line)) onLine(line);
    }
  }
  if (!options.follow) return;
  const pollMs = options.pollMs ?? 300;
  for (;;) {
    if (options.signal?.aborted) return;
    const total = await reader.refresh();
    for (let line = next; line < total; ) {
      const page = await reader.lines(line, Math.min(4096, total - line));
      if (page.length === 0) break;
      for (const text of page) if (keep(text)) onLine(text);
      line += page.length;
      next = line;
    }
    if (reader.complete && next >= reader.lineCount) return;
    // A writer that died leaves the log incomplete: stop once its record says it is over.
    if (!reader.complete && (await subject.finished())) {
      await reader.refresh();
      if (next >= reader.lineCount) return;
      continue;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        {once: true},
      );
    });
  }
}
