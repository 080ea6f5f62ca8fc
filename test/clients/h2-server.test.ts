// berth's HTTP/2 server (the BuildKit session's transport) against RFC 7541's own examples and
// against a real HTTP/2 client: Node's (nghttp2), which Huffman-codes and indexes its headers,
// keeps its receive windows at 64 KiB and pings, as the engine's Go client does.
import {createHash} from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {serveHttp2, type ServerStream} from '../../source/clients/h2-server.js';
import {encodeHeaders, HpackDecoder, HpackError} from '../../source/clients/hpack.js';
import {tempDir} from '../support/cli.js';

const hex = (text: string) => Buffer.from(text.replaceAll(' ', ''), 'hex');

describe('HPACK (RFC 7541 Appendix C)', () => {
  test('C.3: three requests without Huffman coding share one dynamic table', () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(hex('8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ]);
    expect(decoder.decode(hex('8286 84be 5808 6e6f 2d63 6163 6865'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
      ['cache-control', 'no-cache'],
    ]);
    expect(
      decoder.decode(
        hex('8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'),
      ),
    ).toEqual([
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/index.html'],
      [':authority', 'www.example.com'],
      ['custom-key', 'custom-value'],
    ]);
  });

  test('C.4: the same requests Huffman-coded', () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ]);
    expect(decoder.decode(hex('8286 84be 5886 a8eb 1064 9cbf'))[4]).toEqual([
      'cache-control',
      'no-cache',
    ]);
    expect(
      decoder.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'))[4],
    ).toEqual(['custom-key', 'custom-value']);
    // A table shrunk to nothing forgets its entries.
    expect(() => decoder.decode(hex('20 be'))).toThrow(HpackError);
  });

  test('bad input is an error, not a wrong header', () => {
    expect(() => new HpackDecoder().decode(hex('c0'))).toThrow(/no header at index 64/);
    expect(() => new HpackDecoder().decode(hex('0088 f1e3'))).toThrow(/past the block/);
    // Huffman padding that is not EOS's leading ones.
    expect(() => new HpackDecoder().decode(hex('0081 00 00'))).toThrow(HpackError);
  });

  test('Huffman codes of every length decode (codes as RFC 7541 Appendix B prints them)', () => {
    // [symbol, code, bits]: 5 to 30 bits, the shortest to the longest.
    const codes: Array<[number, number, number]> = [
      [0x30, 0x0, 5], // '0'
      [0x61, 0x3, 5], // 'a'
      [0x20, 0x14, 6], // ' '
      [0x3a, 0x5c, 7], // ':'
      [0x26, 0xf8, 8], // '&'
      [0x21, 0x3f8, 10], // '!'
      [0x7c, 0x7fc, 11], // '|'
      [0x23, 0xffa, 12], // '#'
      [0x00, 0x1ff8, 13],
      [0x5e, 0x3ffc, 14], // '^'
      [0x3c, 0x7ffc, 15], // '<'
      [0x5c, 0x7fff0, 19], // '\\'
      [0x80, 0xfffe6, 20],
      [0x99, 0x1fffdc, 21],
      [0x81, 0x3fffd2, 22],
      [0x01, 0x7fffd8, 23],
      [0x09, 0xffffea, 24],
      [0xc7, 0x1ffffec, 25],
      [0xc0, 0x3ffffe0, 26],
      [0xcb, 0x7ffffde, 27],
      [0x02, 0xfffffe2, 28],
      [0x0a, 0x3ffffffc, 30],
    ];
    let bits = '';
    for (const [, code, length] of codes) bits += code.toString(2).padStart(length, '0');
    bits += '1'.repeat((8 - (bits.length % 8)) % 8);
    const bytes = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
    expect(bytes.length).toBeLessThan(127);
    const block = Buffer.concat([hex('00 01 78'), Buffer.from([0x80 | bytes.length]), bytes]);
    expect(new HpackDecoder().decode(block)).toEqual([
      ['x', Buffer.from(codes.map(([symbol]) => symbol)).toString('latin1')],
    ]);
  });

  test('what berth encodes decodes to the same headers', () => {
    const headers: Array<[string, string]> = [
      [':status', '200'],
      ['content-type', 'application/grpc'],
      ['x-long', 'v'.repeat(300)],
    ];
    expect(new HpackDecoder().decode(encodeHeaders(headers))).toEqual(headers);
  });
});

describe('serveHttp2 with a real HTTP/2 client (Node, nghttp2)', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  async function connect(onStream: (stream: ServerStream) => void) {
    const socketPath = path.join(tempDir('berth-h2-'), 'h2.sock');
    const errors: Error[] = [];
    const server = net.createServer((socket) =>
      serveHttp2(socket, onStream, (e) => errors.push(e)),
    );
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const client = http2.connect('http://berth.invalid', {
      createConnection: () => net.connect(socketPath),
    });
    cleanups.push(() => {
      client.destroy();
      server.close();
    });
    return {client, errors};
  }

  function call(client: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders) {
    return new Promise<{headers: object; body: Buffer; trailers: object}>((resolve, reject) => {
      const request = client.request({':method': 'POST', ...headers});
      const chunks: Buffer[] = [];
      let answer: object = {};
      let trailers: object = {};
      request.on('response', (h) => (answer = h));
      request.on('trailers', (t) => (trailers = t));
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => resolve({headers: answer, body: Buffer.concat(chunks), trailers}));
      request.on('error', reject);
      request.end(Buffer.from('request body'));
    });
  }

  test('headers (indexed, Huffman-coded, repeated) arrive; 5 MiB go out within the windows; trailers end the call', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 12)) & 0xff;
    const seen: Array<Array<[string, string]>> = [];
    const bodies: string[] = [];
    const {client, errors} = await connect((stream) => {
      seen.push(stream.headers);
      stream.onData((bytes) => bodies.push(bytes.toString()));
      stream.respond([
        [':status', '200'],
        ['content-type', 'application/grpc'],
      ]);
      void (async () => {
        for (let at = 0; at < big.length; at += 100_000) {
          if (!stream.write(big.subarray(at, at + 100_000))) await stream.drained();
        }
        stream.end([['grpc-status', '0']]);
      })();
    });
    const metadata = {
      ':path': '/moby.filesync.v1.FileSync/DiffCopy',
      'dir-name': 'context',
      'include-patterns': ['code/**', 'deps/requirements.txt'],
    };
    for (let round = 0; round < 2; round++) {
      const {headers, body, trailers} = await call(client, metadata);
      expect(headers).toMatchObject({':status': 200, 'content-type': 'application/grpc'});
      expect(trailers).toMatchObject({'grpc-status': '0'});
      expect(body.length).toBe(big.length);
      expect(createHash('sha256').update(body).digest('hex')).toBe(
        createHash('sha256').update(big).digest('hex'),
      );
    }
    // The second request's headers came from the dynamic table the first one filled.
    for (const headers of seen) {
      expect(headers).toEqual(
        expect.arrayContaining([
          [':path', '/moby.filesync.v1.FileSync/DiffCopy'],
          ['dir-name', 'context'],
          ['include-patterns', 'code/**'],
          ['include-patterns', 'deps/requirements.txt'],
        ]),
      );
    }
    expect(bodies.join('')).toBe('request bodyrequest body');
    await new Promise<void>((resolve, reject) =>
      client.ping((error) => (error ? reject(error) : resolve())),
    );
    expect(errors).toEqual([]);
  });

  test('DATA never outruns the windows the client opens (a raw client, synchronised by PING)', async () => {
    const socketPath = path.join(tempDir('berth-h2-'), 'h2.sock');
    const server = net.createServer((socket) =>
      serveHttp2(
        socket,
        (stream) => {
          stream.respond([[':status', '200']]);
          stream.write(Buffer.alloc(5000, 7));
          stream.end([['grpc-status', '0']]);
        },
        () => undefined,
      ),
    );
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const client = net.connect(socketPath);
    cleanups.push(() => {
      client.destroy();
      server.close();
    });
    const frames: Array<{type: number; flags: number; id: number; payload: Buffer}> = [];
    let pending = Buffer.alloc(0);
    let wake = () => undefined as void;
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 9 && pending.length >= 9 + pending.readUIntBE(0, 3)) {
        const length = pending.readUIntBE(0, 3);
        frames.push({
          type: pending[3]!,
          flags: pending[4]!,
          id: pending.readUInt32BE(5),
          payload: pending.subarray(9, 9 + length),
        });
        pending = pending.subarray(9 + length);
      }
      wake();
    });
    const until = (done: () => boolean) =>
      new Promise<void>((resolve) => {
        wake = () => void (done() && resolve());
        wake();
      });
    const frameBytes = (
      type: number,
      flags: number,
      id: number,
      payload: Buffer = Buffer.alloc(0),
    ) => {
      const header = Buffer.alloc(9);
      header.writeUIntBE(payload.length, 0, 3);
      header[3] = type;
      header[4] = flags;
      header.writeUInt32BE(id, 5);
      return Buffer.concat([header, payload]);
    };
    const data = () =>
      frames
        .filter((f) => f.type === 0 && f.id === 1)
        .reduce((sum, f) => sum + f.payload.length, 0);
    let pings = 0;
    /** Everything the server sent before answering this PING is in `frames`. */
    const ping = async () => {
      const payload = Buffer.alloc(8);
      payload.writeUInt32BE(++pings);
      client.write(frameBytes(6, 0, 0, payload));
      await until(() =>
        frames.some((f) => f.type === 6 && f.flags === 1 && f.payload.equals(payload)),
      );
    };
    const settings = Buffer.alloc(6);
    settings.writeUInt16BE(4, 0); // SETTINGS_INITIAL_WINDOW_SIZE
    settings.writeUInt32BE(1000, 2);
    client.write(
      Buffer.concat([
        Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
        frameBytes(4, 0, 0, settings),
        frameBytes(
          1,
          0x5,
          1,
          encodeHeaders([
            [':method', 'POST'],
            [':path', '/x'],
          ]),
        ),
      ]),
    );
    await until(() => data() >= 1000);
    await ping();
    expect(data()).toBe(1000);
    expect(frames.some((f) => f.type === 4 && f.flags === 1)).toBe(true); // our SETTINGS acknowledged
    const more = Buffer.alloc(4);
    more.writeUInt32BE(1500);
    client.write(frameBytes(8, 0, 1, more));
    await until(() => data() >= 2500);
    await ping();
    expect(data()).toBe(2500);
    more.writeUInt32BE(100_000);
    client.write(frameBytes(8, 0, 1, more));
    await until(() => frames.some((f) => f.type === 1 && f.id === 1 && (f.flags & 1) === 1));
    expect(data()).toBe(5000);
  });

  test('a call answered at once (headers ending the stream) and one the client resets', async () => {
    const {client} = await connect((stream) => {
      if (stream.headers.some(([name, value]) => name === ':path' && value === '/unknown'))
        stream.respond(
          [
            [':status', '200'],
            ['content-type', 'application/grpc'],
            ['grpc-status', '12'],
          ],
          {endStream: true},
        );
      else stream.respond([[':status', '200']]);
    });
    const {headers} = await call(client, {':path': '/unknown'});
    expect(headers).toMatchObject({'grpc-status': '12'});
    const request = client.request({':method': 'POST', ':path': '/slow'});
    await new Promise((resolve) => request.once('response', resolve));
    request.close(http2.constants.NGHTTP2_CANCEL);
    await new Promise((resolve) => request.once('close', resolve));
    // The connection still serves.
    expect((await call(client, {':path': '/unknown'})).headers).toMatchObject({
      'grpc-status': '12',
    });
  });
});
