// `berth publish` in a terminal: the live pane on a real Docker engine and registry. Step rows
// with CACHED markers, the summary, `s` saving the service's full log file, `q` closing.
import {mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runBerth, tempDir} from '../support/cli.js';
import {spawnBerth} from '../support/pty.js';
import {
  baseImage,
  ensureBaseImage,
  startDocker,
  startRegistry,
  type Registry,
} from '../support/services.js';
import {writeWheel} from '../support/wheels.js';

const entry = `def data_processor(*args, **kwargs):
    return lambda function: function


def parameter(*args, **kwargs):
    return lambda function: function


@data_processor(name="Pane demo", description="prints its width")
@parameter("width", "int", False, 256, "pixels")
def main(width):
    print("width=%s" % width)


if __name__ == "__main__":
    main(256)
`;

let registry: Registry;
let host: string;
let configDir: string;
let project: string;
const env = () => ({BERTH_CONFIG_DIR: configDir, DOCKER_HOST: host});

beforeAll(async () => {
  host = (await startDocker()).host;
  await ensureBaseImage(host);
  registry = await startRegistry();
  configDir = tempDir('berth-pane-config-');
  project = tempDir('berth-pane-project-');
  mkdirSync(path.join(project, 'wheels'));
  await writeWheel(path.join(project, 'wheels'), {name: 'berthdemo', version: '1.0.0'});
  writeFileSync(
    path.join(project, 'requirements.txt'),
    '--no-index\n--find-links wheels\nberthdemo==1.0.0\n',
  );
  writeFileSync(path.join(project, 'pane.py'), entry);
  for (const args of [
    ['component', 'register', 'image_builder', 'engine', '--flavor', 'docker'],
    [
      'component',
      'register',
      'container_registry',
      'local',
      '--flavor',
      'oci',
      '--option',
      `uri=${registry.address}/team`,
    ],
    ['stack', 'register', 'publishing', '-i', 'engine', '-c', 'local', '--set'],
  ]) {
    const result = await runBerth(args, {cwd: project, env: env()});
    if (result.code !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`);
  }
});

afterAll(async () => {
  await registry?.stop();
});

describe('berth publish in a terminal', () => {
  it('shows the steps and the summary live, saves the full log with s and closes with q', async () => {
    const session = spawnBerth(['publish', project, '--base-image', baseImage], {
      cwd: project,
      env: env(),
      cols: 110,
      rows: 32,
    });
    try {
      await session.waitFor(/RUN .*pip install/, 120_000);
      await session.waitFor(/Published|published/, 180_000);
      await session.waitFor(/sha256:[0-9a-f]{12}/);
      await session.waitFor(/q close/);

      // The pane says where the full log is: berth's state directory, not the project.
      const logFile = path.join(configDir, 'state', 'logs', 'publish-pane-demo-1.log');
      await session.waitFor(`Log     ${logFile}`);

      session.mark();
      await session.write('s');
      const saved = path.join(configDir, 'state', 'logs', 'saved', 'berth-publish-pane-demo-1.log');
      // The message names the file; a long path is cut in its middle on a narrow terminal.
      await session.waitFor(path.basename(saved));
      const modules = (
        await runBerth(['module', 'list', '--json'], {cwd: project, env: env()})
      ).json<Array<{version: number; status: string; logFile: string}>>();
      expect(modules).toMatchObject([{version: 1, status: 'published'}]);
      // The saved copy is the service's full log file, not just the lines the pane kept.
      expect(readFileSync(saved, 'utf8')).toBe(readFileSync(modules[0]!.logFile, 'utf8'));

      await session.write('q');
      expect(await session.exit).toBe(0);
      expect(readdirSync(project).sort()).toEqual(['pane.py', 'requirements.txt', 'wheels']);
      expect(session.output.lastIndexOf('\u001b[?25h')).toBeGreaterThan(
        session.output.lastIndexOf('\u001b[?25l'),
      );
    } finally {
      session.kill();
    }
  });
});
