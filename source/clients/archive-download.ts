// One streamed archive request (GitHub tarball, GitLab archive). Redirects are followed by
// hand: GitHub answers with a 302 to codeload, and the token must not travel to a host other
// than the one it was made for. A stalled body fails after `idleTimeoutMs` without data, so a
// slow but moving 1 GB download is fine and a hung connection is not.
import {Readable, Transform, type TransformCallback} from 'node:stream';
import type {ReadableStream as WebReadableStream} from 'node:stream/web';
import {hostOf, unreachable} from './http-failure.js';

export type ArchiveRequestOptions = {
  /** Headers for the first origin only; credentials are dropped on a cross-origin redirect. */
  headers: Record<string, string>;
  idleTimeoutMs: number;
  signal?: AbortSignal;
};

export type ArchiveResponse = {
  status: number;
  /** The final URL's host (after redirects), for messages. */
  host: string;
  /** The body, streamed; null for an error status (its body is discarded). */
  body: Readable | null;
  contentLength: number | null;
  /** Requests made (1 + redirects followed). */
  requests: number;
  /** For a refusal (403, 429): its headers and JSON body, so the caller can say why. */
  refusal?: {headers: Record<string, string>; data: unknown};
};

const maxRedirects = 5;
const credentialHeaders = ['authorization', 'private-token', 'cookie'];

export async function requestArchive(
  url: string,
  options: ArchiveRequestOptions,
): Promise<ArchiveResponse> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, {once: true});
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const error = new Error(`no data for ${options.idleTimeoutMs / 1000} s`);
      error.name = 'TimeoutError';
      controller.abort(error);
    }, options.idleTimeoutMs);
    timer.unref();
  };
  const done = () => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  };

  const origin = new URL(url).origin;
  let current = url;
  let headers = {...options.headers};
  let requests = 0;
  try {
    for (;;) {
      arm();
      requests++;
      let response: Response;
      try {
        response = await fetch(current, {headers, redirect: 'manual', signal: controller.signal});
      } catch (error) {
        if (options.signal?.aborted) throw error;
        throw unreachable(
          hostOf(current),
          controller.signal.reason ?? error,
          options.idleTimeoutMs,
        );
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (requests > maxRedirects)
          throw new Error(`more than ${maxRedirects} redirects from ${hostOf(url)}`);
        const next = new URL(location, current);
        if (next.origin !== origin) {
          headers = Object.fromEntries(
            Object.entries(headers).filter(
              ([key]) => !credentialHeaders.includes(key.toLowerCase()),
            ),
          );
        }
        current = next.href;
        continue;
      }
      const length = Number(response.headers.get('content-length'));
      if (!response.ok || !response.body) {
        let refusal: ArchiveResponse['refusal'];
        if (response.status === 403 || response.status === 429) {
          let data: unknown;
          try {
            data = JSON.parse(await readStart(response, 65_536));
          } catch {
            data = undefined;
          }
          refusal = {headers: Object.fromEntries(response.headers), data};
        } else {
          await response.body?.cancel();
        }
        done();
        return {
          status: response.status,
          host: hostOf(current),
          body: null,
          contentLength: null,
          requests,
          ...(refusal ? {refusal} : {}),
        };
      }
      const source = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
      const watch = new IdleWatch(arm);
      source.on('error', (error) => watch.destroy(controller.signal.reason ?? error));
      watch.on('close', done);
      source.pipe(watch);
      return {
        status: response.status,
        host: hostOf(current),
        body: watch,
        contentLength: Number.isFinite(length) && length > 0 ? length : null,
        requests,
      };
    }
  } catch (error) {
    done();
    throw error;
  }
}

/** The first `limit` bytes of an error body as text; the rest is never read. */
async function readStart(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const {done, value} = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** Re-arms the idle timer on every chunk. */
class IdleWatch extends Transform {
  constructor(private readonly onData: () => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.onData();
    callback(null, chunk);
  }
}
