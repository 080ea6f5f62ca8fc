// Long synchronous work that still lets the event loop run now and then: a project's folders are
// read with the sync calls (no fs/promises to load, no thread-pool round trip per folder), and a
// screen drawing a spinner meanwhile still gets a turn on a tree of many thousand files.

/** One turn of the event loop: what was asked of the network meanwhile is on its way. */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** Call once per item: every `every`th call waits one turn of the event loop; the others don't. */
export function breather(every = 2000): () => Promise<void> | undefined {
  let count = 0;
  return () => (++count % every === 0 ? nextTurn() : undefined);
}
