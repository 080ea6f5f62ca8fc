// Protected stacks: publish and run ask for the stack's name to be typed in a terminal, need
// --yes-i-mean-STACK without one, and refuse otherwise before anything is recorded.
import {cpSync} from 'node:fs';
import path from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import {repoRoot, runBerth, tempDir} from '../support/cli.js';
import {spawnBerth} from '../support/pty.js';

let configDir: string;
let project: string;
const berth = (args: string[]) =>
  runBerth(args, {cwd: project, env: {BERTH_CONFIG_DIR: configDir}});

async function ok(args: string[]) {
  const result = await berth(args);
  expect(result.code, `berth ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

/** What a publish past the gate says at its preflight. */
const unreachable = "Can't reach the registry 127.0.0.1:9";

/** Publish attempts recorded in the profile (a refused publish records none). */
async function attempts(): Promise<number> {
  return (await ok(['module', 'list', '--json'])).json<unknown[]>().length;
}

beforeEach(async () => {
  configDir = tempDir('berth-protect-config-');
  project = tempDir('berth-protect-project-');
  cpSync(path.join(repoRoot, 'test/fixtures/projects/image-rotation'), project, {recursive: true});
  // A registry that is not there: a publish that gets past the gate fails at its preflight
  // (which names the registry), before any version is recorded.
  await ok([
    'component',
    'register',
    'image_builder',
    'gone',
    '--flavor',
    'docker',
    '--option',
    `host=unix://${path.join(project, 'no-docker.sock')}`,
  ]);
  await ok([
    'component',
    'register',
    'container_registry',
    'nowhere',
    '--flavor',
    'oci',
    '--option',
    'uri=127.0.0.1:9/team',
  ]);
  await ok(['stack', 'register', 'prod', '-i', 'gone', '-c', 'nowhere', '--set']);
  await ok(['stack', 'update', 'prod', '--protect']);
});

describe('protected stacks', () => {
  it('are marked in stack list and describe, and --no-protect lifts it', async () => {
    const list = await ok(['stack', 'list', '--json']);
    expect(list.json<Array<{name: string; protected: boolean}>>()).toContainEqual(
      expect.objectContaining({name: 'prod', protected: true}),
    );
    expect((await ok(['stack', 'list'])).stdout).toContain('prod (protected)');
    await ok(['stack', 'update', 'prod', '--no-protect']);
    const after = await ok(['stack', 'list', '--json', 'name,protected']);
    expect(after.json()).toContainEqual({name: 'prod', protected: false});
    expect((await berth(['stack', 'update', 'prod'])).code).toBe(2);
  });

  it('refuses to publish or run without a terminal unless --yes-i-mean-STACK names it', async () => {
    const publish = await berth(['publish', '.', '--plain']);
    expect(publish.code).toBe(2);
    expect(publish.stderr).toContain("Stack 'prod' is protected");
    expect(publish.stderr).toContain('--yes-i-mean-prod');
    const wrong = await berth(['publish', '.', '--plain', '--yes-i-mean-staging']);
    expect(wrong.code).toBe(2);
    const run = await berth(['run', 'rotate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Pass --yes-i-mean-prod to run on it.');
    for (const refused of [publish, wrong, run]) expect(refused.stderr).not.toContain(unreachable);
    expect(await attempts()).toBe(0);

    // Named: the publish goes ahead (and fails later, at the registry that is not there).
    const confirmed = await berth(['publish', '.', '--plain', '--yes-i-mean-prod']);
    expect(confirmed.code).toBe(1);
    expect(confirmed.stderr).not.toContain('protected');
    expect(confirmed.stderr).toContain(unreachable);
    const confirmedRun = await berth(['run', 'missing-module', '--yes-i-mean-prod']);
    expect(confirmedRun.stderr).not.toContain('protected');
    expect(confirmedRun.stderr).toContain('missing-module');
  });

  it('asks for the name in a terminal: a wrong name publishes nothing, the right one goes ahead', async () => {
    const env = {BERTH_CONFIG_DIR: configDir};
    const wrong = spawnBerth(['publish', '.', '--plain'], {cwd: project, env});
    await wrong.waitFor("Stack 'prod' is protected. Type its name to publish on it:");
    await wrong.type('pro');
    await wrong.write('\r');
    expect(await wrong.exit).toBe(130);
    expect(wrong.text()).toContain("'pro' is not 'prod'; nothing was published.");
    expect(wrong.text()).not.toContain(unreachable);
    expect(await attempts()).toBe(0);

    const right = spawnBerth(['publish', '.', '--plain'], {cwd: project, env});
    await right.waitFor('Type its name to publish on it:');
    await right.type('prod');
    await right.write('\r');
    expect(await right.exit).toBe(1);
    expect(right.text()).not.toContain("is not 'prod'");
    expect(right.text()).toContain(unreachable);
  });
});
