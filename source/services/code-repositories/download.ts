// Download a commit's files with one archive request (or a custom repository's downloadFiles).
import {mkdir, readdir, rm, stat} from 'node:fs/promises';
import path from 'node:path';
import {pipeline, Transform, type TransformCallback} from 'node:stream';
import type {Deps} from '../../deps.js';
import {callCustom} from '../../lib/custom-repository.js';
import {BerthError, CancelledError, UsageError, UserError, wrapError} from '../../lib/errors.js';
import {formatLocation} from '../../lib/git-url.js';
import type {CodeRepositoryRecord} from '../../models/code-repository.js';
import type {ActiveContext} from '../context.js';
import {checkExtractTarget, extractTarGz} from '../../lib/safe-extract.js';
import {
  findRecord,
  loginCustomRepository,
  repositoriesOf,
  tokenFor,
  type AccountHooks,
} from './records.js';

export type DownloadProgress = {bytes: number; totalBytes: number | null};

export type DownloadInput = {
  name: string;
  commit: string;
  dir: string;
  subdirectory?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
} & AccountHooks;

export type DownloadResult = {
  repository: string;
  commit: string;
  directory: string;
  subdirectory: string | null;
  files: number;
  symlinks: number;
  /** The archive's bytes as sent (compressed); a custom repository's: the files' own bytes. */
  bytes: number;
  /** Whether `bytes` counts a compressed archive. */
  compressed: boolean;
  /** HTTP requests made (the archive request and the redirect it followed). */
  requests: number;
};

const commitPattern = /^[0-9a-fA-F]{7,64}$/;

/**
 * Downloads the files of `commit` into `dir` (new or empty) with ONE archive request, streamed
 * into the safe extractor. Complete means: the gzip trailer checked (CRC and length), the tar's
 * end-of-archive marker present, every entry written; anything less is an error and leaves
 * `dir` as it was. (No tree listing request: that would double the requests.)
 */
export async function downloadRepository(
  deps: Deps,
  input: DownloadInput,
): Promise<DownloadResult & {context: ActiveContext}> {
  if (!commitPattern.test(input.commit)) {
    throw new UsageError(`"${input.commit}" is not a commit SHA.`, {
      hint: 'Pass the commit as 7 to 64 hex digits (`git rev-parse HEAD`).',
    });
  }
  const commit = input.commit.toLowerCase();
  const directory = path.resolve(deps.cwd, input.dir);
  // Before anything is requested: a target that can't take the tree is refused up front.
  await checkExtractTarget(directory);
  const {context, collection} = await repositoriesOf(deps);
  const record = await findRecord(collection, input.name);
  const subdirectory = input.subdirectory?.replace(/^\/+|\/+$/g, '') || null;
  const label = `${record.name} at ${commit}`;

  if (record.type === 'custom') {
    const result = await downloadCustom(
      deps,
      record,
      commit,
      directory,
      subdirectory,
      input.signal,
    );
    return {
      ...result,
      repository: record.name,
      commit,
      directory,
      subdirectory,
      compressed: false,
      requests: 0,
      context,
    };
  }

  const secret = await tokenFor(deps, context, record, {onAccount: input.onAccount});
  const where = formatLocation({host: record.host ?? '', path: record.path ?? ''});
  let response;
  if (record.type === 'github') {
    const {GithubClient} = await import('../../clients/github.js');
    const [owner = '', repo = ''] = record.path!.split('/');
    response = await new GithubClient({
      apiUrl: record.apiUrl!,
      token: secret,
      timeoutMs: 30_000,
    }).openTarball(owner, repo, commit, {signal: input.signal});
  } else {
    const {GitlabClient} = await import('../../clients/gitlab.js');
    response = await new GitlabClient({
      apiUrl: record.apiUrl!,
      token: secret,
      timeoutMs: 30_000,
    }).openArchive(record.providerId ?? record.path!, commit, {signal: input.signal});
  }
  if (response.status === 404) {
    throw new UserError(`commit ${commit} is not in ${record.name} (${where}) (pushed?)`, {
      hint: 'Push the commit (`git push`), check the SHA, and check that the token can read the repository.',
    });
  }
  if (!response.body) {
    throw new UserError(
      `Downloading ${label} failed: ${response.host} answered ${response.status}.`,
      {hint: 'Try again later.'},
    );
  }

  const counter = new ByteCounter(response.contentLength, input.onProgress);
  try {
    // pipeline, not pipe: an aborted or failed response (SIGINT, a reset) reaches the
    // extractor as an error instead of an unhandled 'error' event on the response stream.
    const extracted = await extractTarGz(pipeline(response.body, counter, noop), directory, {
      stripComponents: 1,
      subdirectory: subdirectory ?? undefined,
      signal: input.signal,
    });
    if (extracted.files === 0 && extracted.symlinks === 0 && !subdirectory) {
      throw new UserError('the archive holds no files');
    }
    return {
      repository: record.name,
      commit,
      directory,
      subdirectory,
      files: extracted.files,
      symlinks: extracted.symlinks,
      bytes: counter.bytes,
      compressed: true,
      requests: response.requests,
      context,
    };
  } catch (error) {
    response.body.destroy();
    if (error instanceof BerthError && error.exitCode !== 1) throw error;
    if (error instanceof BerthError) {
      throw wrapError(error, (cause) => ({
        message: `Downloading ${label} failed: ${lowerFirst(cause.message)}`,
        ...(cause.hint ? {hint: cause.hint} : {}),
      }));
    }
    throw error;
  }
}

async function downloadCustom(
  deps: Deps,
  record: CodeRepositoryRecord,
  commit: string,
  directory: string,
  subdirectory: string | null,
  signal: AbortSignal | undefined,
) {
  const existing = await checkExtractTarget(directory);
  const {instance, secret} = await loginCustomRepository(deps, record);
  signal?.throwIfAborted();
  await mkdir(directory, {recursive: true});
  try {
    // The module gets the signal to stop its own work; berth does not wait for it to listen.
    await untilAborted(
      callCustom(
        record.name,
        'downloadFiles',
        () =>
          instance.downloadFiles(commit, directory, subdirectory ?? undefined, {
            ...(signal ? {signal} : {}),
          }),
        secret,
      ),
      signal,
    );
  } catch (error) {
    // A partial download is not a result: leave nothing behind (an empty directory given as
    // the target is emptied again, not removed).
    if (!existing) await rm(directory, {recursive: true, force: true});
    else
      for (const entry of await readdir(directory))
        await rm(path.join(directory, entry), {recursive: true, force: true});
    throw error;
  }
  const counted = await countTree(directory);
  return {files: counted.files, symlinks: counted.symlinks, bytes: counted.bytes};
}

/** `work`'s outcome, or a CancelledError as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, {once: true});
    work
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort))
      .catch(() => undefined);
  });
}

async function countTree(dir: string): Promise<{files: number; symlinks: number; bytes: number}> {
  const total = {files: 0, symlinks: 0, bytes: 0};
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (entry.isSymbolicLink()) total.symlinks++;
    else if (entry.isFile()) {
      total.files++;
      total.bytes += (await stat(path.join(entry.parentPath, entry.name))).size;
    }
  }
  return total;
}

class ByteCounter extends Transform {
  bytes = 0;
  private last = 0;

  constructor(
    private readonly total: number | null,
    private readonly onProgress: ((progress: DownloadProgress) => void) | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.bytes += chunk.length;
    const time = Date.now();
    if (this.onProgress && time - this.last >= 100) {
      this.last = time;
      this.onProgress({bytes: this.bytes, totalBytes: this.total});
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback) {
    this.onProgress?.({bytes: this.bytes, totalBytes: this.total});
    if (this.total !== null && this.bytes !== this.total) {
      callback(new Error(`unexpected end of the download: ${this.bytes} of ${this.total} bytes`));
      return;
    }
    callback();
  }
}

/** Errors reach the extractor through the destroyed stream; the callback has nothing to add. */
function noop(): void {}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
