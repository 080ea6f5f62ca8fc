// The Docker client against the real test engine, and against nothing at all.
import {beforeAll, describe, expect, test} from 'vitest';
import {
  createDockerClient,
  EngineStreamError,
  jsonLines,
  parseDockerHost,
  splitReference,
} from '../../source/clients/docker.js';
import {baseImage, ensureBaseImage, startDocker} from '../support/services.js';

let host: string;

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
});

describe('docker client', () => {
  test('host forms', () => {
    expect(parseDockerHost('unix:///run/d.sock').options).toEqual({socketPath: '/run/d.sock'});
    expect(parseDockerHost('tcp://10.0.0.5:2376').options).toEqual({
      host: '10.0.0.5',
      port: 2376,
      protocol: 'http',
    });
    expect(parseDockerHost(undefined).display).toBe('unix:///var/run/docker.sock');
    expect(() => parseDockerHost('ftp://x')).toThrow(/is not a Docker host/);
    expect(splitReference('127.0.0.1:5000/ns/app:3-abc')).toEqual({
      repository: '127.0.0.1:5000/ns/app',
      tag: '3-abc',
    });
    expect(splitReference('127.0.0.1:5000/app')).toEqual({
      repository: '127.0.0.1:5000/app',
      tag: 'latest',
    });
  });

  test('JSON lines across chunk boundaries', () => {
    const events: unknown[] = [];
    const feed = jsonLines((event) => events.push(event));
    feed('{"stream":"a"}\n{"str');
    feed('eam":"b"}\n');
    expect(events).toEqual([{stream: 'a'}, {stream: 'b'}]);
  });

  test('JSON lines: a megabyte line in one-byte-apart pieces, a character split between chunks', () => {
    const events: Array<{stream?: string}> = [];
    const feed = jsonLines((event) => events.push(event));
    const big = JSON.stringify({stream: 'é'.repeat(500_000)});
    const bytes = Buffer.from(`${big}\n{"stream":"after"}\nnot json\n`);
    for (let at = 0; at < bytes.length; at += 4093) feed(bytes.subarray(at, at + 4093));
    expect(events).toHaveLength(3);
    expect(events[0]!.stream).toBe('é'.repeat(500_000));
    expect(events.slice(1)).toEqual([{stream: 'after'}, {stream: 'not json\n'}]);
  });

  test('a dead socket gives the one message naming the host and the fix', async () => {
    const client = createDockerClient('unix:///nonexistent/docker.sock');
    await expect(client.ping()).rejects.toThrow(
      "Can't reach the Docker engine at unix:///nonexistent/docker.sock. Start it, or set DOCKER_HOST.",
    );
  });

  test('inspects images, and a failing RUN inside the stream rejects the build', async () => {
    const client = createDockerClient(host);
    await client.ping();
    expect(await client.imageExists(baseImage)).toBe(true);
    expect(await client.imageExists('berth-test/absent:never')).toBe(false);
    const lines: string[] = [];
    const context = [
      {
        name: 'Dockerfile',
        mode: 0o644,
        content: `FROM ${baseImage}\nRUN echo failing-step-output && exit 3\n`,
      },
    ];
    const build = client.build(context, {
      tag: 'berth-test/client-failure:1',
      onEvent: (event) => typeof event.stream === 'string' && lines.push(event.stream),
    });
    await expect(build).rejects.toBeInstanceOf(EngineStreamError);
    await expect(build).rejects.toThrow(/returned a non-zero code: 3/);
    expect(lines.join('')).toContain('failing-step-output');
  });

  test('a build says which image it made, with either builder', async () => {
    const client = createDockerClient(host);
    const context = [
      {name: 'Dockerfile', mode: 0o644, content: `FROM ${baseImage}\nCOPY stamp /stamp\n`},
      {name: 'stamp', mode: 0o644, content: `${process.pid}-${Date.now()}\n`},
    ];
    for (const builder of ['classic', 'buildkit'] as const) {
      const tag = `berth-test/client-id-${builder}:1`;
      try {
        const id = await client.build(context, {tag, builder});
        expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(id).toBe((await client.inspectImage(tag))?.id);
      } finally {
        await client.removeImage(tag).catch(() => undefined);
      }
    }
  });

  test('runs a container and demultiplexes its output', async () => {
    const client = createDockerClient(host);
    let stdout = '';
    let stderr = '';
    const {exitCode} = await client.runContainer({
      image: baseImage,
      args: [
        'python3',
        '-c',
        'import sys; print("out"); print("err", file=sys.stderr); sys.exit(4)',
      ],
      networkMode: 'none',
      onStdout: (chunk) => (stdout += chunk.toString()),
      onStderr: (chunk) => (stderr += chunk.toString()),
    });
    expect({exitCode, stdout, stderr}).toEqual({exitCode: 4, stdout: 'out\n', stderr: 'err\n'});
  });
});
