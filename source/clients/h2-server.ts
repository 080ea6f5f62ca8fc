// The server side of an HTTP/2 connection (RFC 9113), as small as the BuildKit session needs
// (buildkit-session.ts): the engine is the client and calls a few gRPC methods; berth answers
// each with headers, DATA within the engine's flow-control windows, and trailers. Written here
// instead of node:http2 because loading that module (and node:tls and node:crypto with it) took
// 25-35 ms while the engine waited for the session, every publish.
//
// What a server must do and this one does: the preface and SETTINGS (acknowledged both ways),
// PING answered, HPACK decoding with its dynamic table (hpack.ts), CONTINUATION, padding,
// WINDOW_UPDATE both ways, RST_STREAM and GOAWAY. No server push, no priorities (ignored).
import type {Duplex} from 'node:stream';
import {encodeHeaders, HpackDecoder} from './hpack.js';

const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** The frame types berth reads or sends (PRIORITY, 2, and PUSH_PROMISE, 5, are ignored). */
const frame = {
  data: 0,
  headers: 1,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goaway: 7,
  windowUpdate: 8,
  continuation: 9,
} as const;
const flag = {endStream: 0x1, ack: 0x1, endHeaders: 0x4, padded: 0x8, priority: 0x20} as const;
const setting = {initialWindowSize: 4, maxFrameSize: 5} as const;
const errorCode = {none: 0, protocol: 1, cancel: 8} as const;

/** The most either side may have in flight: berth opens its receive windows this wide at once. */
const maxWindow = 2 ** 31 - 1;
const defaultWindow = 65_535;
const refill = 2 ** 30;

export class Http2Error extends Error {}

/** One request of the engine's, and berth's answer to it. */
export type ServerStream = {
  /** The request's headers in order, pseudo-headers first (a repeated name repeats). */
  headers: Array<[string, string]>;
  respond(headers: Array<[string, string]>, options?: {endStream?: boolean}): void;
  /** Queues bytes for DATA frames; false once more is queued than the windows let out. */
  write(bytes: Buffer): boolean;
  /** Resolves once what is queued has gone out (the windows opened). */
  drained(): Promise<void>;
  /** Sends what is queued, then these trailers, ending the stream. */
  end(trailers: Array<[string, string]>): void;
  onData(listener: (bytes: Buffer) => void): void;
  /** The engine reset the stream with an error, or the connection broke. */
  onError(listener: (error: Error) => void): void;
};

type StreamState = ServerStream & {
  id: number;
  window: number;
  /** DATA taken since berth last opened this stream's window again. */
  received: number;
  queue: Buffer[];
  queued: number;
  trailers?: Array<[string, string]>;
  closed: boolean;
  dataListeners: Array<(bytes: Buffer) => void>;
  errorListeners: Array<(error: Error) => void>;
  drainWaiters: Array<() => void>;
};

export type Http2Server = {close(): void};

/**
 * Serves HTTP/2 on `socket` (already switched from HTTP/1.1): `onStream` gets each request once
 * its headers are in; `onError` gets what breaks the connection.
 */
export function serveHttp2(
  socket: Duplex,
  onStream: (stream: ServerStream) => void,
  onError: (error: Error) => void,
): Http2Server {
  const decoder = new HpackDecoder();
  const streams = new Map<number, StreamState>();
  let connectionWindow = defaultWindow;
  let peerInitialWindow = defaultWindow;
  let peerMaxFrame = 16_384;
  let received = 0;
  let pending: Buffer = Buffer.alloc(0);
  let sawPreface = false;
  let headerBlock: {id: number; parts: Buffer[]} | undefined;
  let closed = false;
  let lastOpened = 0;

  const send = (type: number, flags: number, id: number, payload: Buffer = Buffer.alloc(0)) => {
    if (closed) return;
    const header = Buffer.alloc(9);
    header.writeUIntBE(payload.length, 0, 3);
    header[3] = type;
    header[4] = flags;
    header.writeUInt32BE(id, 5);
    socket.write(payload.length > 0 ? Buffer.concat([header, payload]) : header);
  };
  const uint32 = (value: number) => {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    return bytes;
  };
  const fail = (error: Error) => {
    if (closed) return;
    for (const stream of streams.values()) stream.errorListeners.forEach((l) => l(error));
    onError(error);
    close();
  };
  const close = () => {
    if (closed) return;
    closed = true;
    // A caller waiting to write more goes on (its writes are dropped from now on).
    for (const stream of streams.values()) {
      stream.closed = true;
      stream.drainWaiters.splice(0).forEach((resolve) => resolve());
    }
    streams.clear();
    socket.destroy();
  };
  const goAway = (code: number, message: string) => {
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(code, 4);
    send(frame.goaway, 0, 0, payload);
    fail(new Http2Error(message));
  };

  /** Sends what the windows let out of each stream's queue, then a stream's trailers. */
  const flush = () => {
    for (const stream of streams.values()) {
      while (stream.queue.length > 0 && connectionWindow > 0 && stream.window > 0) {
        const head = stream.queue[0]!;
        const size = Math.min(head.length, peerMaxFrame, connectionWindow, stream.window);
        send(frame.data, 0, stream.id, head.subarray(0, size));
        connectionWindow -= size;
        stream.window -= size;
        stream.queued -= size;
        if (size === head.length) stream.queue.shift();
        else stream.queue[0] = head.subarray(size);
      }
      if (stream.queue.length === 0) {
        stream.drainWaiters.splice(0).forEach((resolve) => resolve());
        if (stream.trailers) {
          send(
            frame.headers,
            flag.endHeaders | flag.endStream,
            stream.id,
            encodeHeaders(stream.trailers),
          );
          stream.trailers = undefined;
          finish(stream);
        }
      }
    }
  };
  const finish = (stream: StreamState) => {
    stream.closed = true;
    streams.delete(stream.id);
  };

  const open = (id: number, headers: Array<[string, string]>) => {
    const stream: StreamState = {
      id,
      headers,
      window: peerInitialWindow,
      received: 0,
      queue: [],
      queued: 0,
      closed: false,
      dataListeners: [],
      errorListeners: [],
      drainWaiters: [],
      respond(answer, options = {}) {
        // Answered late (the tree came after the engine reset the call): nothing to answer.
        if (stream.closed) return;
        send(
          frame.headers,
          flag.endHeaders | (options.endStream ? flag.endStream : 0),
          id,
          encodeHeaders(answer),
        );
        if (options.endStream) finish(stream);
      },
      write(bytes) {
        if (stream.closed || bytes.length === 0) return !stream.closed;
        stream.queue.push(bytes);
        stream.queued += bytes.length;
        flush();
        return stream.queued === 0;
      },
      drained: () =>
        stream.queued === 0 || stream.closed
          ? Promise.resolve()
          : new Promise((resolve) => stream.drainWaiters.push(resolve)),
      end(trailers) {
        if (stream.closed) return;
        stream.trailers = trailers;
        flush();
      },
      onData: (listener) => void stream.dataListeners.push(listener),
      onError: (listener) => void stream.errorListeners.push(listener),
    };
    streams.set(id, stream);
    onStream(stream);
  };

  const onFrame = (type: number, flags: number, id: number, payload: Buffer) => {
    if (headerBlock && (type !== frame.continuation || id !== headerBlock.id))
      return goAway(errorCode.protocol, 'a header block was interrupted');
    switch (type) {
      case frame.settings: {
        if (flags & flag.ack) return;
        for (let at = 0; at + 6 <= payload.length; at += 6) {
          const key = payload.readUInt16BE(at);
          const value = payload.readUInt32BE(at + 2);
          if (key === setting.initialWindowSize) {
            for (const stream of streams.values()) stream.window += value - peerInitialWindow;
            peerInitialWindow = value;
          } else if (key === setting.maxFrameSize) peerMaxFrame = value;
        }
        send(frame.settings, flag.ack, 0);
        return flush();
      }
      case frame.ping:
        if (!(flags & flag.ack)) send(frame.ping, flag.ack, 0, payload);
        return;
      case frame.windowUpdate: {
        const increment = payload.readUInt32BE(0) & 0x7fffffff;
        if (id === 0) connectionWindow += increment;
        else {
          const stream = streams.get(id);
          if (stream) stream.window += increment;
        }
        return flush();
      }
      case frame.headers:
      case frame.continuation: {
        let block = payload;
        if (type === frame.headers) {
          let start = 0;
          let padding = 0;
          if (flags & flag.padded) {
            padding = payload[0]!;
            start = 1;
          }
          if (flags & flag.priority) start += 5;
          block = payload.subarray(start, payload.length - padding);
          headerBlock = {id, parts: []};
        }
        headerBlock!.parts.push(block);
        if (!(flags & flag.endHeaders)) return;
        const {parts} = headerBlock!;
        headerBlock = undefined;
        const headers = decoder.decode(Buffer.concat(parts));
        // A request's trailers (on a stream opened before: new ones count up) say nothing
        // berth needs.
        if (id <= lastOpened) return;
        lastOpened = id;
        return open(id, headers);
      }
      case frame.data: {
        let data = payload;
        if (flags & flag.padded) data = payload.subarray(1, payload.length - payload[0]!);
        // The whole frame counts against the windows: berth opened them wide, and tops them up
        // once half is used (the engine's requests are small: this hardly ever happens).
        received += payload.length;
        if (received >= refill) {
          send(frame.windowUpdate, 0, 0, uint32(received));
          received = 0;
        }
        const stream = streams.get(id);
        if (!stream) return;
        stream.received += payload.length;
        if (stream.received >= refill) {
          send(frame.windowUpdate, 0, id, uint32(stream.received));
          stream.received = 0;
        }
        if (data.length > 0) stream.dataListeners.forEach((listener) => listener(data));
        return;
      }
      case frame.rstStream: {
        const stream = streams.get(id);
        if (!stream) return;
        finish(stream);
        const code = payload.readUInt32BE(0);
        if (code !== errorCode.none && code !== errorCode.cancel) {
          const error = new Http2Error(`the engine reset the call (HTTP/2 error ${code})`);
          stream.errorListeners.forEach((listener) => listener(error));
        }
        return;
      }
      case frame.goaway:
        return close();
      default:
        // PRIORITY, PUSH_PROMISE (never sent to a server) and unknown types.
        return;
    }
  };

  socket.on('data', (chunk: Buffer) => {
    pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    try {
      if (!sawPreface) {
        if (pending.length < preface.length) return;
        if (!pending.subarray(0, preface.length).equals(preface))
          return goAway(errorCode.protocol, 'the engine did not speak HTTP/2');
        sawPreface = true;
        pending = pending.subarray(preface.length);
      }
      while (pending.length >= 9 && !closed) {
        const length = pending.readUIntBE(0, 3);
        if (pending.length < 9 + length) break;
        const type = pending[3]!;
        const flags = pending[4]!;
        const id = pending.readUInt32BE(5) & 0x7fffffff;
        const payload = pending.subarray(9, 9 + length);
        pending = pending.subarray(9 + length);
        onFrame(type, flags, id, payload);
      }
    } catch (error) {
      goAway(
        errorCode.protocol,
        `the engine's HTTP/2 could not be read: ${(error as Error).message}`,
      );
    }
  });
  socket.on('error', fail);
  // Closed by the engine once the build is done (or by berth): nothing more to serve.
  socket.on('close', close);

  // Berth's SETTINGS (its receive window as wide as allowed), and the connection's window too.
  const settings = Buffer.alloc(6);
  settings.writeUInt16BE(setting.initialWindowSize, 0);
  settings.writeUInt32BE(maxWindow, 2);
  send(frame.settings, 0, 0, settings);
  send(frame.windowUpdate, 0, 0, uint32(maxWindow - defaultWindow));
  return {close};
}
