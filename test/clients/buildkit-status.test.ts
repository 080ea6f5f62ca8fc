// BuildKit's StatusResponse decoder, checked against an independent transcription of the same
// published .proto (the one dockerode ships), encoded by protobufjs's full build from that file.
import {createRequire} from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';
import {describe, expect, test} from 'vitest';
import {decodeBuildkitStatus} from '../../source/clients/buildkit-status.js';

const require = createRequire(import.meta.url);
const dockerodeProto = path.join(
  path.dirname(require.resolve('dockerode/package.json')),
  'lib/proto/buildkit_status.proto',
);
const reference = protobuf.loadSync(dockerodeProto).lookupType('moby.buildkit.v1.StatusResponse');

function encode(message: object): string {
  const error = reference.verify(message);
  if (error) throw new Error(error);
  return Buffer.from(reference.encode(reference.fromObject(message)).finish()).toString('base64');
}

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('decodeBuildkitStatus', () => {
  test('vertexes, statuses, logs and warnings, field by field', () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x41]);
    const status = decodeBuildkitStatus(
      encode({
        vertexes: [
          {
            digest: digest(1),
            inputs: [digest(2), digest(3)],
            name: '[2/5] RUN pip install -r requirements.txt',
            cached: true,
            started: {seconds: 1_764_000_000, nanos: 123_456_789},
            completed: {seconds: 1_764_000_002, nanos: 500_000_000},
            error: 'executor failed running [/bin/sh -c exit 3]: exit code: 3',
            progressGroup: {id: 'g', name: 'group', weak: true},
          },
          {digest: digest(4), name: '[internal] load .dockerignore'},
        ],
        statuses: [
          {
            ID: 'exporting layers',
            vertex: digest(1),
            name: 'export',
            current: 5_000_000_000,
            total: 6_000_000_000,
            timestamp: {seconds: 1_764_000_003},
            completed: {seconds: 1_764_000_004, nanos: 1_000_000},
          },
        ],
        logs: [{vertex: digest(1), timestamp: {seconds: 1}, stream: 2, msg: binary}],
        warnings: [
          {
            vertex: digest(1),
            level: 1,
            short: Buffer.from('LegacyKeyValueFormat'),
            detail: [Buffer.from('one')],
            url: 'https://docs.example/warning',
            info: {filename: 'Dockerfile', data: Buffer.from('FROM x')},
            ranges: [{start: {line: 1, character: 0}, end: {line: 1, character: 6}}],
          },
        ],
      }),
    );
    expect(status.vertexes).toEqual([
      {
        digest: digest(1),
        inputs: [digest(2), digest(3)],
        name: '[2/5] RUN pip install -r requirements.txt',
        cached: true,
        started: 1_764_000_000_123,
        completed: 1_764_000_002_500,
        error: 'executor failed running [/bin/sh -c exit 3]: exit code: 3',
      },
      {
        digest: digest(4),
        inputs: [],
        name: '[internal] load .dockerignore',
        cached: false,
        error: '',
      },
    ]);
    expect(status.statuses).toEqual([
      {
        id: 'exporting layers',
        vertex: digest(1),
        name: 'export',
        current: 5_000_000_000,
        total: 6_000_000_000,
        completed: 1_764_000_004_001,
      },
    ]);
    // Log bytes arrive as bytes: nothing is lost to a text decoding on the way.
    expect(status.logs).toHaveLength(1);
    expect(status.logs[0]!.stream).toBe(2);
    expect(status.logs[0]!.data.equals(binary)).toBe(true);
    expect(status.warnings).toEqual([
      {
        vertex: digest(1),
        level: 1,
        short: 'LegacyKeyValueFormat',
        url: 'https://docs.example/warning',
      },
    ]);
  });

  test('an empty message is an empty status', () => {
    expect(decodeBuildkitStatus('')).toEqual({vertexes: [], statuses: [], logs: [], warnings: []});
  });

  test('a megabyte of log in one message comes out whole', () => {
    const text = Buffer.from('x'.repeat(1024 * 1024 - 1) + '\n');
    const status = decodeBuildkitStatus(
      encode({logs: [{vertex: digest(1), stream: 1, msg: text}]}),
    );
    expect(status.logs[0]!.data.equals(text)).toBe(true);
  });

  test('a truncated or foreign message throws instead of inventing fields', () => {
    const whole = Buffer.from(
      encode({vertexes: [{digest: digest(1), name: '[1/1] FROM x'}]}),
      'base64',
    );
    expect(() => decodeBuildkitStatus(whole.subarray(0, whole.length - 5))).toThrow();
    expect(() => decodeBuildkitStatus(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow();
  });
});
