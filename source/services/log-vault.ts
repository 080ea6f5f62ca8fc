// The log vault: every build log and run log, kept whole in the profile's store (SQLite
// locally, PostgreSQL for a team, so a colleague reads the same log). A log is a record in the
// `logs` collection listing its chunks; each chunk is a few thousand lines, gzip-compressed and
// stored as a blob under the sha256 of its compressed bytes (checked on every read). Lines not
// yet in a chunk ride inline in the record (`tail`), flushed about once a second, so
// `berth logs --follow` sees a running build or run while it writes; a closed log keeps its last
// few KB there too.
//
// Readers page: they find a line's chunk by binary search over the chunk line counts and keep a
// few decompressed chunks, so opening, scrolling and searching a 1,000,000-line log holds a
// bounded amount of it in memory.
import {createHash} from 'node:crypto';
import {gunzipSync, gzipSync} from 'node:zlib';
import {UserError} from '../lib/errors.js';
import type {ProfileStore} from '../store/profile-store.js';

export type LogChunk = {digest: string; lines: number; bytes: number};

/** Lines a closed log keeps in its record (`tail`) instead of sealing them into a chunk. */
const MAX_INLINE_TAIL_BYTES = 16 * 1024;

export type LogRecord = {
  key: string;
  kind: 'publish' | 'run';
  /** `SLUG@VERSION` or the run id. */
  subject: string;
  chunks: LogChunk[];
  /** Complete lines not yet in a chunk, each ending with a newline. */
  tail: string;
  /** Lines in chunks plus lines in `tail`. */
  lines: number;
  /** Uncompressed bytes of every line (with its newline). */
  bytes: number;
  /** Written to the end: the build or run is over. */
  complete: boolean;
  createdAt: string;
  updatedAt: string;
};

export function publishLogKey(slug: string, version: number): string {
  return `publish/${slug}@${version}`;
}

export function runLogKey(id: string): string {
  return `run/${id}`;
}

export type LogWriterOptions = {
  /** A chunk closes after this many lines or bytes, whichever comes first. */
  chunkLines?: number;
  chunkBytes?: number;
  /** How often buffered lines reach the store for followers; 0 disables the timer. */
  flushMs?: number;
};

export function digestOf(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * Appends lines to one log in the vault. `write` and `line` never block and never throw: store
 * failures are kept and reported by `close()`, so a full disk cannot break a build halfway.
 */
export class LogVaultWriter {
  private record: LogRecord;
  private pending: string[] = [];
  private pendingBytes = 0;
  private partial = '';
  private readonly channels: Array<() => void> = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private readonly chunkLines: number;
  private readonly chunkBytes: number;

  constructor(
    private readonly store: ProfileStore,
    key: string,
    meta: {kind: LogRecord['kind']; subject: string},
    options: LogWriterOptions = {},
  ) {
    const at = new Date().toISOString();
    this.chunkLines = options.chunkLines ?? 4096;
    this.chunkBytes = options.chunkBytes ?? 256 * 1024;
    this.record = {
      key,
      ...meta,
      chunks: [],
      tail: '',
      lines: 0,
      bytes: 0,
      complete: false,
      createdAt: at,
      updatedAt: at,
    };
    this.enqueue(() => this.persist());
    const flushMs = options.flushMs ?? 1000;
    if (flushMs > 0) {
      this.timer = setInterval(() => {
        if (this.dirty) this.enqueue(() => this.persist());
      }, flushMs);
      this.timer.unref();
    }
  }

  get key(): string {
    return this.record.key;
  }

  /** Raw output (a run's stdout): split into lines, a trailing partial line kept for later. */
  write(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) this.line(part.endsWith('\r') ? part.slice(0, -1) : part);
  }

  /**
   * A separate raw-output stream (stdout and stderr of one run): each keeps its own partial
   * line, so interleaved output never glues half-lines of both together.
   */
  channel(): (text: string) => void {
    let partial = '';
    this.channels.push(() => {
      if (partial) this.line(partial);
      partial = '';
    });
    return (text) => {
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) this.line(part.endsWith('\r') ? part.slice(0, -1) : part);
    };
  }

  /** One line; a line holding newlines becomes several. */
  line(text: string): void {
    for (const line of text.split('\n')) {
      this.pending.push(line);
      this.pendingBytes += Buffer.byteLength(line) + 1;
      this.record.lines++;
      this.record.bytes += Buffer.byteLength(line) + 1;
    }
    this.dirty = true;
    if (this.pending.length >= this.chunkLines || this.pendingBytes >= this.chunkBytes) this.seal();
  }

  /** Waits until everything written so far is in the store. */
  async flush(): Promise<void> {
    this.enqueue(() => this.persist());
    await this.chain;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const flushChannel of this.channels) flushChannel();
    if (this.partial) {
      const last = this.partial;
      this.partial = '';
      this.line(last);
    }
    // The last lines stay inline when they are few (a code change's publish logs a few KB): no
    // chunk, no gzip, node:zlib is not even loaded. The record stays small either way.
    if (this.pendingBytes > MAX_INLINE_TAIL_BYTES) this.seal();
    this.record.complete = true;
    await this.flush();
    if (this.failure) {
      throw new UserError(`Could not keep the log in the store: ${String(this.failure)}`, {
        cause: this.failure,
      });
    }
  }

  private seal(): void {
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    const lines = this.pending.length;
    this.pending = [];
    this.pendingBytes = 0;
    const data = gzipSync(text);
    const chunk: LogChunk = {digest: digestOf(data), lines, bytes: Buffer.byteLength(text)};
    this.enqueue(async () => {
      await this.store.blobs.put(chunk.digest, data);
      this.record.chunks.push(chunk);
    });
    this.dirty = true;
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await work();
      } catch (error) {
        this.failure = error;
      }
    });
  }

  private async persist(): Promise<void> {
    this.dirty = false;
    const tail = this.pending.length > 0 ? `${this.pending.join('\n')}\n` : '';
    const inChunks = this.record.chunks.reduce((sum, chunk) => sum + chunk.lines, 0);
    const record: LogRecord = {
      ...this.record,
      tail,
      // Lines sealed but not yet stored are counted when their chunk lands.
      lines: inChunks + this.pending.length,
      bytes:
        this.record.chunks.reduce((sum, chunk) => sum + chunk.bytes, 0) + Buffer.byteLength(tail),
      complete: this.record.complete,
      updatedAt: new Date().toISOString(),
    };
    await this.store.collection<LogRecord>('logs').put(record.key, record);
  }
}

/** Reads one log from the vault a page at a time. */
export class LogVaultReader {
  private starts: number[] = [];
  private tailLines: string[] = [];
  private readonly cache = new Map<string, string[]>();

  private constructor(
    private readonly store: ProfileStore,
    private record: LogRecord,
    private readonly cacheChunks: number,
  ) {
    this.index();
  }

  static async open(
    store: ProfileStore,
    key: string,
    options: {cacheChunks?: number} = {},
  ): Promise<LogVaultReader | undefined> {
    const record = await store.collection<LogRecord>('logs').get(key);
    return record ? new LogVaultReader(store, record, options.cacheChunks ?? 4) : undefined;
  }

  get lineCount(): number {
    return this.record.lines;
  }

  get complete(): boolean {
    return this.record.complete;
  }

  get bytes(): number {
    return this.record.bytes;
  }

  /** Reads the record again (a writer may have added lines); returns the new line count. */
  async refresh(): Promise<number> {
    const record = await this.store.collection<LogRecord>('logs').get(this.record.key);
    if (record) {
      this.record = record;
      this.index();
    }
    return this.record.lines;
  }

  /** Lines `[from, from + count)`, clipped to the log. */
  async lines(from: number, count: number): Promise<string[]> {
    const out: string[] = [];
    let line = Math.max(0, from);
    const end = Math.min(this.record.lines, from + count);
    while (line < end) {
      const {lines, start} = await this.block(line);
      const offset = line - start;
      const take = Math.min(end - line, lines.length - offset);
      if (take <= 0) break;
      for (let i = 0; i < take; i++) out.push(lines[offset + i]!);
      line += take;
    }
    return out;
  }

  /** Every line from `from` on, a chunk at a time. */
  async *stream(from = 0): AsyncGenerator<string> {
    let line = Math.max(0, from);
    while (line < this.record.lines) {
      const {lines, start} = await this.block(line, false);
      for (let i = line - start; i < lines.length; i++) yield lines[i]!;
      line = start + lines.length;
      if (lines.length === 0) break;
    }
  }

  /** The log a block at a time, as UTF-8 bytes (each line ending with a newline), from line 0. */
  async *texts(): AsyncGenerator<Buffer> {
    for (let block = 0; block < this.blockCount(); block++) yield await this.blockBytes(block);
  }

  /**
   * The first line at or after `from` (or at or before it, backwards) containing `needle`,
   * ignoring ASCII case, wrapping around once; undefined when no line has it. Each chunk is
   * searched as one byte string (never decoded or split into lines), so a scan of a
   * 1,000,000-line log costs about one decompression of it.
   */
  async find(needle: string, from: number, direction: 1 | -1 = 1): Promise<number | undefined> {
    const total = this.record.lines;
    const blocks = this.blockCount();
    if (total === 0 || !needle || needle.includes('\n')) return undefined;
    const wanted = Buffer.from(needle.replace(/[A-Z]+/g, (upper) => upper.toLowerCase()));
    let line = ((from % total) + total) % total;
    let block = this.blockOf(line);
    for (let visited = 0; visited <= blocks; visited++) {
      const bytes = lowerAscii(await this.blockBytes(block));
      const start = this.blockStart(block);
      const lineStart = nthLineStart(bytes, line - start);
      if (direction === 1) {
        const at = bytes.indexOf(wanted, lineStart);
        if (at >= 0) return start + countNewlines(bytes, at);
        block = (block + 1) % blocks;
        line = this.blockStart(block);
      } else {
        const lineEnd = bytes.indexOf(10, lineStart);
        const at =
          lineEnd - wanted.length < 0 ? -1 : bytes.lastIndexOf(wanted, lineEnd - wanted.length);
        if (at >= 0) return start + countNewlines(bytes, at);
        block = (block - 1 + blocks) % blocks;
        line = this.blockStart(block) + this.blockLines(block) - 1;
      }
    }
    return undefined;
  }

  private blockCount(): number {
    return this.record.chunks.length + (this.tailLines.length > 0 ? 1 : 0);
  }

  private blockStart(block: number): number {
    return block < this.record.chunks.length
      ? this.starts[block]!
      : this.record.lines - this.tailLines.length;
  }

  private blockLines(block: number): number {
    return block < this.record.chunks.length
      ? this.record.chunks[block]!.lines
      : this.tailLines.length;
  }

  private blockOf(line: number): number {
    let low = 0;
    let high = this.record.chunks.length - 1;
    let found = this.record.chunks.length;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.starts[middle]! + this.record.chunks[middle]!.lines > line) {
        found = middle;
        high = middle - 1;
      } else low = middle + 1;
    }
    return found;
  }

  /** A block's bytes, fresh (callers may change them); not cached, so a scan never evicts the page on screen. */
  private async blockBytes(block: number): Promise<Buffer> {
    if (block >= this.record.chunks.length) return Buffer.from(`${this.tailLines.join('\n')}\n`);
    return gunzipSync(await this.chunkData(this.record.chunks[block]!));
  }

  private async chunkData(chunk: LogChunk): Promise<Buffer> {
    const data = await this.store.blobs.get(chunk.digest);
    if (!data || digestOf(data) !== chunk.digest) {
      throw new UserError(
        `The stored log ${this.record.subject} is damaged: chunk ${chunk.digest.slice(0, 19)} is ${data ? 'corrupt' : 'missing'}.`,
      );
    }
    return data;
  }

  private index(): void {
    this.starts = [];
    let at = 0;
    for (const chunk of this.record.chunks) {
      this.starts.push(at);
      at += chunk.lines;
    }
    this.tailLines = this.record.tail ? this.record.tail.slice(0, -1).split('\n') : [];
  }

  /** The chunk (or the inline tail) holding `line`, decompressed. */
  private async block(line: number, keep = true): Promise<{lines: string[]; start: number}> {
    const chunks = this.record.chunks;
    let low = 0;
    let high = chunks.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.starts[middle]! <= line) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    if (found < 0 || line >= this.starts[found]! + chunks[found]!.lines) {
      const start = chunks.length > 0 ? this.starts.at(-1)! + chunks.at(-1)!.lines : 0;
      return {lines: this.tailLines, start};
    }
    const chunk = chunks[found]!;
    const start = this.starts[found]!;
    const cached = this.cache.get(chunk.digest);
    if (cached) {
      // Most recently used last.
      this.cache.delete(chunk.digest);
      this.cache.set(chunk.digest, cached);
      return {lines: cached, start};
    }
    const text = gunzipSync(await this.chunkData(chunk)).toString('utf8');
    const lines = text.slice(0, -1).split('\n');
    if (keep || this.cacheChunks > 0) {
      this.cache.set(chunk.digest, lines);
      while (this.cache.size > Math.max(1, this.cacheChunks)) {
        this.cache.delete(this.cache.keys().next().value!);
      }
    }
    return {lines, start};
  }
}

/** Where line `n` (0-based) of `bytes` starts. */
function nthLineStart(bytes: Buffer, n: number): number {
  let at = 0;
  for (let i = 0; i < n; i++) {
    const next = bytes.indexOf(10, at);
    if (next < 0) return bytes.length;
    at = next + 1;
  }
  return at;
}

function countNewlines(bytes: Buffer, end: number): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at >= 0 && at < end; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}

/** A-Z to a-z in place (UTF-8 multi-byte sequences never contain bytes below 0x80). */
function lowerAscii(bytes: Buffer): Buffer {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c >= 65 && c <= 90) bytes[i] = c + 32;
  }
  return bytes;
}
