// Ctrl+C and Ctrl+D at a prompt cancel: exit 130, "Cancelled", nothing changed, no crash.
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {runBerth, tempDir} from '../support/cli.js';
import {keys, spawnBerth, type PtySession} from '../support/pty.js';

let configDir: string;
let project: string;
let session: PtySession | undefined;
const env = () => ({BERTH_CONFIG_DIR: configDir});

beforeEach(async () => {
  configDir = tempDir('berth-config-');
  project = tempDir('berth-project-');
  expect((await runBerth(['stack', 'register', 'gpu'], {cwd: project, env: env()})).code).toBe(0);
});
afterEach(() => session?.kill());

async function stacks(): Promise<string[]> {
  const list = await runBerth(['stack', 'list', '--json'], {cwd: project, env: env()});
  return list.json<Array<{name: string}>>().map((stack) => stack.name);
}

describe('a prompt answered with Ctrl+C or Ctrl+D', () => {
  it.each([
    ['Ctrl+C', keys.ctrlC],
    ['Ctrl+D', '\u0004'],
  ])('%s at `stack delete` cancels with exit 130 and keeps the stack', async (_name, key) => {
    session = spawnBerth(['stack', 'delete', 'gpu'], {cwd: project, env: env()});
    await session.waitFor("Delete stack 'gpu'? [y/N]");
    await session.write(key);
    expect(await session.exit).toBe(130);
    expect(session.text()).toContain('Cancelled');
    expect(session.text()).not.toContain('berth hit a bug');
    expect(await stacks()).toContain('gpu');
  });

  it.each([
    ['Ctrl+C', keys.ctrlC],
    ['Ctrl+D', '\u0004'],
  ])('%s at the masked token prompt cancels with exit 130 and stores nothing', async (_n, key) => {
    session = spawnBerth(
      ['token', 'add', 'github', '--api-url', 'http://127.0.0.1:9/', '--insecure-storage'],
      {
        cwd: project,
        env: env(),
      },
    );
    await session.waitFor('Paste your github token:');
    await session.write(key);
    expect(await session.exit).toBe(130);
    expect(session.text()).toContain('Cancelled');
    expect(session.text()).not.toContain('berth hit a bug');
    expect(session.text()).not.toContain("Can't reach");
  });
});
