// A log file written as its text comes, in batches: what arrives within one turn of the event loop
// is one write. Sync calls on an open descriptor: no node:fs stream (its module takes 2 ms to load,
// on every publish) and no thread-pool round trip per line.
import {closeSync, openSync, writeSync} from 'node:fs';

export class AppendFile {
  private fd: number | undefined;
  private pending = '';
  private scheduled = false;
  /** Why the file could not be opened or written; its text is dropped from then on, not thrown. */
  failure: unknown;

  /** Creates (or empties) `file`, readable by its owner only. */
  constructor(file: string) {
    try {
      this.fd = openSync(file, 'w', 0o600);
    } catch (error) {
      this.failure = error;
    }
  }

  write(text: string): void {
    if (this.fd === undefined) return;
    this.pending += text;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes what is pending now (else it goes at the end of this turn of the event loop). */
  flush(): void {
    this.scheduled = false;
    if (this.fd === undefined || this.pending === '') return;
    const bytes = Buffer.from(this.pending);
    this.pending = '';
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at);
    } catch (error) {
      this.failure = error;
      this.close();
    }
  }

  close(): void {
    this.flush();
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch (error) {
      this.failure ??= error;
    }
  }
}
