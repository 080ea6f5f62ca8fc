// A BuildKit session, as the docker CLI opens one for `docker build`: the engine reads the build
// context through it (BuildKit's file sync) instead of unpacking an uploaded tar on every build,
// keeps the last copy it received, and asks only for the files that changed since.
//
// The connection is `POST /session` switched to HTTP/2 (`Upgrade: h2c`); the engine then calls
// gRPC methods on it, berth serving through its own small HTTP/2 server (h2-server.ts). Two are
// served: the health check and /moby.filesync.v1.FileSync/DiffCopy (tonistiigi/fsutil's
// protocol: berth sends a `Stat` packet per entry of the tree the engine names in `dir-name`,
// then an empty one; the engine asks for files by their index (REQ) and berth sends their bytes
// (DATA, an empty DATA ending each); the engine's FIN is answered with FIN and the end of the
// call). Nothing else is exposed: no secrets, no SSH agent, no credentials.
import type {Duplex} from 'node:stream';
import {compilePatterns, isIgnored, type IgnorePattern} from '../lib/docker-patterns.js';
import {fnv1a64Hex} from '../lib/fnv.js';
import {syncEntryBytes, type SyncEntry} from './build-context.js';
import {serveHttp2, type ServerStream} from './h2-server.js';
import {fieldsOf, MessageWriter} from './protobuf.js';

const diffCopy = '/moby.filesync.v1.FileSync/DiffCopy';
const healthCheck = '/grpc.health.v1.Health/Check';

/** fsutil's Packet types. */
const packetStat = 0;
const packetRequest = 1;
const packetData = 2;
const packetFinish = 3;
const packetError = 4;

/** fsutil sends files in pieces of this size. */
const dataChunk = 32 * 1024;

/** The session broke, or the engine's side of the file sync reported an error. */
export class SessionSyncError extends Error {}

export type BuildSession = {
  id: string;
  /** Why the file sync failed, once it has. */
  failure(): SessionSyncError | undefined;
  close(): void;
};

/** Opens `POST /session` switched to another protocol; the transport's part (engine-api.ts). */
export type UpgradeConnection = (request: {
  path: string;
  headers: Record<string, string | string[]>;
  signal?: AbortSignal;
}) => Promise<Duplex>;

/**
 * Opens a session serving `dirs` (the dockerfile frontend asks for `context` and `dockerfile`).
 * A tree may still be coming (a build asked for before its files were checked): the engine's call
 * waits for it, and ends CANCELLED if it never comes. `cacheKey` names the engine's kept copy: the
 * same project gets the same one, so its next build sends only what changed.
 */
export async function openBuildSession(
  upgrade: UpgradeConnection,
  dirs: Record<string, SyncEntry[] | Promise<SyncEntry[]>>,
  cacheKey: string,
  signal?: AbortSignal,
  id: string = sessionUuid(),
): Promise<BuildSession> {
  const socket = await upgrade({
    path: '/session',
    headers: {
      'X-Docker-Expose-Session-Uuid': id,
      'X-Docker-Expose-Session-Name': 'berth',
      // The engine keeps one copy of the context per key: the project's, every build.
      'X-Docker-Expose-Session-Sharedkey': fnv1a64Hex(`berth\0${cacheKey}`),
      'X-Docker-Expose-Session-Grpc-Method': [diffCopy, healthCheck],
    },
    ...(signal ? {signal} : {}),
  });
  let failure: SessionSyncError | undefined;
  const fail = (message: string) => {
    failure ??= new SessionSyncError(message);
  };
  const connection = serveHttp2(
    socket,
    (stream) => {
      stream.onError((error) => fail(`the file sync broke: ${error.message}`));
      const metadata = metadataOf(stream.headers);
      const method = metadata.get(':path')?.[0];
      if (method === healthCheck) {
        stream.respond(answer);
        // HealthCheckResponse{status: SERVING}.
        stream.write(frame(new MessageWriter().varint(1, 1).toBuffer()));
        stream.end(ok);
      } else if (method === diffCopy) {
        // What the engine sends before the tree is there waits with it.
        const early: Buffer[] = [];
        let receive: ((bytes: Buffer) => void) | undefined;
        stream.onData((bytes) => (receive ? receive(bytes) : early.push(bytes)));
        Promise.resolve(dirs[metadata.get('dir-name')?.[0] ?? ''] ?? []).then(
          (tree) => {
            stream.respond(answer);
            receive = sendTree(stream, select(tree, metadata), fail);
            for (const bytes of early.splice(0)) receive(bytes);
          },
          // The build was called off before it had its files: gRPC's CANCELLED.
          () => stream.respond([...answer, ['grpc-status', '1']], {endStream: true}),
        );
      } else {
        // Not exposed (the session's headers name only the two above): gRPC's UNIMPLEMENTED.
        stream.respond([...answer, ['grpc-status', '12']], {endStream: true});
      }
    },
    (error) => fail(`the session broke: ${error.message}`),
  );
  return {
    id,
    failure: () => failure,
    close: () => connection.close(),
  };
}

/** gRPC's answer headers; its status comes as trailers when the call ends (`ok`). */
const answer: Array<[string, string]> = [
  [':status', '200'],
  ['content-type', 'application/grpc'],
];
const ok: Array<[string, string]> = [['grpc-status', '0']];

/** The request's headers by name, every value of a repeated one. */
function metadataOf(headers: Array<[string, string]>): Map<string, string[]> {
  const metadata = new Map<string, string[]>();
  for (const [name, value] of headers) metadata.set(name, [...(metadata.get(name) ?? []), value]);
  return metadata;
}

/**
 * A BuildKit session's name among the engine's sessions, shaped as a random UUID (v4). It only
 * has to be unique, not secret (the engine's socket is the credential), so Math.random does:
 * node:crypto would take 12 ms to load while the engine waits.
 */
export function sessionUuid(): string {
  const hex = Array.from({length: 32}, () => Math.floor(Math.random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(Math.random() * 4)]!;
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/**
 * What the engine asked for of a tree, as fsutil's walker chooses: `include-patterns` and
 * `followpaths` keep what they match (and what is under it), `exclude-patterns` drop what they
 * match (`.dockerignore` rules); folders are kept for what they hold.
 */
function select(tree: SyncEntry[], metadata: Map<string, string[]>): SyncEntry[] {
  const includes: IgnorePattern[] = compilePatterns([
    ...(metadata.get('include-patterns') ?? []),
    ...(metadata.get('followpaths') ?? []),
  ]).filter((pattern) => !pattern.exclusion);
  const excludes = compilePatterns(metadata.get('exclude-patterns') ?? []);
  if (includes.length === 0 && excludes.length === 0) return tree;
  const kept = new Set<string>();
  for (const entry of tree) {
    if (entry.kind === 'dir') continue;
    // `isIgnored` with only plain patterns: whether one matches the path or a folder above it.
    if (includes.length > 0 && !isIgnored(entry.path, includes)) continue;
    if (isIgnored(entry.path, excludes)) continue;
    kept.add(entry.path);
    for (let slash = entry.path.lastIndexOf('/'); slash > 0; ) {
      kept.add(entry.path.slice(0, slash));
      slash = entry.path.lastIndexOf('/', slash - 1);
    }
  }
  return tree.filter((entry) => kept.has(entry.path));
}

/** One gRPC message: a byte saying "not compressed", the length, the message. */
function frame(message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

function packet(type: number, fields: {stat?: SyncEntry; id?: number; data?: Buffer} = {}): Buffer {
  const writer = new MessageWriter().varint(1, type);
  if (fields.stat) {
    const stat = fields.stat;
    writer.bytes(
      2,
      new MessageWriter()
        .bytes(1, stat.path)
        .varint(2, stat.mode)
        .varint(5, stat.size)
        .varint(6, stat.modTime)
        .bytes(7, stat.linkname),
    );
  }
  return frame(
    writer
      .varint(3, fields.id ?? 0)
      .bytes(4, fields.data)
      .toBuffer(),
  );
}

/** The sender's side of DiffCopy for one tree; what the engine sends goes to the handler returned. */
function sendTree(
  stream: ServerStream,
  tree: SyncEntry[],
  fail: (message: string) => void,
): (bytes: Buffer) => void {
  for (const stat of tree) stream.write(packet(packetStat, {stat}));
  stream.write(packet(packetStat));
  // Files go one at a time, in the order asked; each write waits for the engine to take it.
  let queue = Promise.resolve();
  const send = async (id: number) => {
    const entry = tree[id];
    if (!entry || entry.kind !== 'file') throw new Error(`the engine asked for entry ${id}`);
    const bytes = await syncEntryBytes(entry);
    for (let offset = 0; offset < bytes.length; offset += dataChunk) {
      const data = bytes.subarray(offset, offset + dataChunk);
      if (!stream.write(packet(packetData, {id, data}))) await stream.drained();
    }
    stream.write(packet(packetData, {id}));
  };
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 5) {
      const length = pending.readUInt32BE(1);
      if (pending.length < 5 + length) break;
      const message = pending.subarray(5, 5 + length);
      pending = pending.subarray(5 + length);
      let type = 0;
      let id = 0;
      let data = '';
      fieldsOf(message, (field, value) => {
        if (field === 1) type = value.varint ?? 0;
        else if (field === 3) id = value.varint ?? 0;
        else if (field === 4) data = Buffer.from(value.bytes ?? []).toString();
      });
      if (type === packetRequest) {
        queue = queue
          .then(() => send(id))
          .catch((error: unknown) => {
            fail(`berth could not send a file: ${(error as Error).message}`);
            stream.write(packet(packetError, {data: Buffer.from((error as Error).message)}));
            stream.end(ok);
          });
      } else if (type === packetFinish) {
        queue = queue.then(() => {
          stream.write(packet(packetFinish));
          stream.end(ok);
        });
      } else if (type === packetError) fail(`the engine could not take the context: ${data}`);
    }
  };
}
