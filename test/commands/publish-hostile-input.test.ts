// `berth publish --dry-run` on hostile entry points, through the built CLI: a 50 MB file, a
// million nested parentheses, a 100,000-character line. Each is refused with exit 1 and a short
// message at file:line:column; none hangs (the run's deadline) or overflows the stack (a crash
// would print "berth hit a bug").
import {truncateSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {runBerth, tempDir, tempProject} from '../support/cli.js';

const MODULE = '@data_processor(name="Hostile")\ndef main():\n    pass\n';

async function dryRun(files: Record<string, string>, entry: string) {
  const project = tempProject(files);
  const result = await runBerth(['publish', project, '--entry', entry, '--dry-run'], {
    env: {BERTH_CONFIG_DIR: tempDir(), DOCKER_HOST: 'unix:///nonexistent/docker.sock'},
    timeoutMs: 90_000,
  });
  expect(result.stderr).not.toContain('hit a bug');
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr.length).toBeLessThan(1000);
  return result;
}

describe('publish --dry-run refuses hostile entry points quickly, at file:line:column', () => {
  test('a 50 MB entry point is refused on its size, never read whole', async () => {
    const project = tempProject({});
    writeFileSync(path.join(project, 'big.py'), MODULE + 'x = 1\n'.repeat(8_750_000));
    const result = await runBerth(['publish', project, '--dry-run'], {
      env: {BERTH_CONFIG_DIR: tempDir(), DOCKER_HOST: 'unix:///nonexistent/docker.sock'},
      timeoutMs: 90_000,
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(
      'big.py:1:1: is 50.1 MiB; berth reads entry points up to 1.0 MiB. Move code into modules the entry point imports.',
    );
    expect(result.stderr.length).toBeLessThan(1000);
  });

  test('a 3 GB entry point (sparse) is refused, not read into a string it cannot fit', async () => {
    const project = tempProject({'huge.py': MODULE});
    truncateSync(path.join(project, 'huge.py'), 3 * 1024 ** 3);
    const result = await runBerth(['publish', project, '--dry-run'], {
      env: {BERTH_CONFIG_DIR: tempDir(), DOCKER_HOST: 'unix:///nonexistent/docker.sock'},
      timeoutMs: 90_000,
    });
    expect(result.stderr).not.toContain('hit a bug');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(
      'huge.py:1:1: is 3.0 GiB; berth reads entry points up to 1.0 MiB.',
    );
  });

  test('a million nested parentheses stop at the 201st, without a stack overflow', async () => {
    const result = await dryRun({'deep.py': `${MODULE}x = ${'('.repeat(1_000_000)}\n`}, 'deep.py');
    expect(result.stderr).toContain(
      'deep.py:4:205: too many nested parentheses (Python allows 200)',
    );
  });

  test('a 100,000-character line is refused at its statement bound, the message short', async () => {
    const line = `x = [${'1,'.repeat(50_000)}2]\n`;
    const result = await dryRun({'long.py': MODULE + line}, 'long.py');
    expect(result.stderr).toContain(
      'long.py:4:100003: has a statement of more than 100000 tokens; berth reads at most 100000',
    );
  });

  test('a 100,000-character string in an annotation is echoed shortened', async () => {
    const value = 'a'.repeat(100_000);
    const entry = `@data_processor(name="Hostile")\n@parameter("n", "int", False, "${value}")\ndef main(n):\n    pass\n`;
    const result = await dryRun({'long.py': entry}, 'long.py');
    expect(result.stderr).toMatch(
      /long\.py:2:31: @parameter "n": default "a{159}…a{19}" is not an int\./,
    );
  });
});
