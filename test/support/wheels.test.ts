import {execFileSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, test} from 'vitest';
import {baseImage, ensureBaseImage, startDocker} from './services.js';
import {buildImage, runContainer} from './services/docker.js';
import {buildWheel, makeWheelDir} from './wheels.js';

describe('makeWheelDir', () => {
  test('writes a wheel whose RECORD hashes match its files (checked by python zipfile)', async () => {
    const dir = await makeWheelDir();
    expect(readdirSync(dir)).toEqual(['berthdemo-1.0.0-py3-none-any.whl']);
    const check = `
import base64, hashlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
names = z.namelist()
record = z.read('berthdemo-1.0.0.dist-info/RECORD').decode().splitlines()
for line in record:
    name, digest, size = line.rsplit(',', 2)
    assert name in names, name
    if name.endswith('RECORD'):
        assert digest == '' and size == ''
        continue
    data = z.read(name)
    expected = 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
    assert digest == expected and int(size) == len(data), name
assert len(record) == len(names)
print(z.read('berthdemo/__init__.py').decode(), end='')
`;
    const output = execFileSync(
      'python3',
      ['-c', check, path.join(dir, 'berthdemo-1.0.0-py3-none-any.whl')],
      {
        encoding: 'utf8',
      },
    );
    expect(output).toBe('VALUE = 42\n');
  });

  test('is reproducible and takes other names, versions and requirements', () => {
    const spec = {name: 'berth-extra', version: '2.0.1', requires: ['berthdemo==1.0.0']};
    const wheel = buildWheel(spec);
    expect(wheel.fileName).toBe('berth_extra-2.0.1-py3-none-any.whl');
    expect(buildWheel(spec).data.equals(wheel.data)).toBe(true);
  });
});

describe('offline pip install in an image build', () => {
  let host: string;
  beforeAll(async () => {
    host = (await startDocker()).host;
    await ensureBaseImage(host);
  });

  test('pip installs the wheels from a find-links dir with network none', async () => {
    const dir = await makeWheelDir([
      {name: 'berthdemo', version: '1.0.0'},
      {
        name: 'berth-extra',
        version: '2.0.1',
        requires: ['berthdemo==1.0.0'],
        files: {'berth_extra/__init__.py': 'from berthdemo import VALUE\nDOUBLE = VALUE * 2\n'},
      },
    ]);
    const files: Record<string, string | Buffer> = {
      Dockerfile: [
        `FROM ${baseImage}`,
        'COPY wheels /wheels',
        'RUN pip install --no-index --find-links /wheels berth-extra==2.0.1',
        '',
      ].join('\n'),
    };
    for (const name of readdirSync(dir))
      files[`wheels/${name}`] = readFileSync(path.join(dir, name));
    const output = await buildImage(host, files, 'berth-test/wheel-demo:1', {
      networkmode: 'none',
      // The wheels are byte-for-byte reproducible, so a cached layer would skip the install.
      nocache: true,
    });
    expect(output.join('')).toMatch(/Successfully installed berth-extra-2\.0\.1 berthdemo-1\.0\.0/);
    const result = await runContainer(host, 'berth-test/wheel-demo:1', [
      'python',
      '-c',
      'import berthdemo, berth_extra; print(berthdemo.VALUE, berth_extra.DOUBLE)',
    ]);
    expect(result).toMatchObject({code: 0, stdout: '42 84\n'});
  });

  test('a requirement missing from the wheel dir fails the build', async () => {
    const dir = await makeWheelDir();
    const files: Record<string, string | Buffer> = {
      Dockerfile: `FROM ${baseImage}\nCOPY wheels /wheels\nRUN pip install --no-index --find-links /wheels berthdemo==9.9.9\n`,
    };
    for (const name of readdirSync(dir))
      files[`wheels/${name}`] = readFileSync(path.join(dir, name));
    await expect(buildImage(host, files, 'berth-test/wheel-missing:1')).rejects.toThrow(
      /non-zero code: 1/,
    );
  });
});
