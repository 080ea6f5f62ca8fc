// `berth publish --plain | head`: the reader goes away mid-build. berth stops as SIGPIPE stops
// other tools, but through SIGTERM's clean-up: the version is recorded cancelled (never left
// `building`), exit 143. On a fresh config's default stack and the real engine.
import {spawn} from 'node:child_process';
import {beforeAll, expect, it} from 'vitest';
import {cleanEnv, cliPath, nodeBinary, runBerth, tempDir, tempProject} from '../support/cli.js';
import {baseImage, ensureBaseImage, startDocker} from '../support/services.js';
import {waitFor} from '../support/wait.js';

const entry = `def data_processor(*args, **kwargs):
    return lambda function: function


@data_processor(name="Piped", description="prints a line")
def main():
    print("piped")


if __name__ == "__main__":
    main()
`;

let host: string;

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
});

it('a publish whose stdout closes is recorded cancelled, not left building, exit 143', async () => {
  const configDir = tempDir('berth-pipe-config-');
  const project = tempProject({'piped.py': entry});
  const env = {BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host};
  const child = spawn(
    nodeBinary,
    [cliPath, 'publish', project, '--plain', '--base-image', baseImage],
    {cwd: project, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe']},
  );
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  // Like `| head`: read until the build has a version number, then close the pipe.
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('==> building')) child.stdout.destroy();
  });
  await waitFor(() => child.stdout.destroyed || child.exitCode !== null, {
    timeoutMs: 120_000,
    message: '==> building',
  });
  expect(await exited, `${stdout}\n${stderr}`).toBe(143);

  const versions = (await runBerth(['module', 'list', '--json'], {cwd: project, env})).json<
    Array<{name: string; version: number; status: string}>
  >();
  expect(versions).toMatchObject([{name: 'piped', version: 1, status: 'cancelled'}]);
}, 180_000);
