// A tar archive built in memory, entry by entry, in the order they are added: the build context
// berth uploads and the snapshot it pushes. tar-stream loads only when an archive is made.
import type {Pack} from 'tar-stream';

/** Adds one entry (a body for files, none for links and folders). */
export type AddTarEntry = (header: Parameters<Pack['entry']>[0], body?: Buffer) => Promise<void>;

/** The archive `fill` describes, as one Buffer. */
export async function packTar(fill: (add: AddTarEntry) => Promise<void>): Promise<Buffer> {
  const {default: tarStream} = await import('tar-stream');
  const archive = tarStream.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  await fill(
    (header, body) =>
      new Promise<void>((resolve, reject) => {
        const done = (error?: Error | null) => (error ? reject(error) : resolve());
        if (body) archive.entry(header, body, done);
        else archive.entry(header, done);
      }),
  );
  archive.finalize();
  await collected;
  return Buffer.concat(chunks);
}
