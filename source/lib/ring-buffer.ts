// A fixed-capacity FIFO: pushing past capacity drops the oldest item. Log panes keep their
// recent lines here so memory stays flat however long a build runs.

export class RingBuffer<T> {
  private readonly items: Array<T | undefined>;
  private start = 0;
  private count = 0;
  /** Everything ever pushed, dropped items included. */
  pushed = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Items pushed and then dropped to make room. */
  get dropped(): number {
    return this.pushed - this.count;
  }

  push(item: T): void {
    this.pushed++;
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }

  /** The item at `index`, 0 being the oldest kept; undefined out of range. */
  get(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.items[(this.start + index) % this.capacity];
  }

  last(): T | undefined {
    return this.get(this.count - 1);
  }

  /** Items `from` (inclusive) to `to` (exclusive), clamped to what is kept. */
  slice(from = 0, to = this.count): T[] {
    const begin = Math.max(0, from);
    const end = Math.min(this.count, to);
    const out: T[] = [];
    for (let i = begin; i < end; i++) out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }

  toArray(): T[] {
    return this.slice();
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
  }
}
