// What the setup wizard asks when the user leaves its repository step: registering's own checks,
// writing nothing. A repository the forge does not have is refused; one registered already (by
// its location, or by its provider id after a rename) is reported for reuse, not registered twice.
import path from 'node:path';
import {rmSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createDeps} from '../../source/deps.js';
import {
  checkRegistration,
  listRepositories,
  registerRepository,
} from '../../source/services/code-repositories/register.js';
import {tempDir} from '../support/cli.js';
import {commitFiles, startForgeServer, type ForgeServer} from '../support/forge-server.js';

let forge: ForgeServer;
let root: string;
beforeAll(async () => {
  forge = await startForgeServer();
  root = tempDir('berth-registration-check-');
  const gitDir = path.join(root, 'widgets');
  commitFiles(gitDir, {'train.py': 'print(1)\n'});
  forge.addRepository({provider: 'github', path: 'acme/widgets', gitDir});
});
afterAll(async () => {
  await forge?.close();
  rmSync(root, {recursive: true, force: true});
});

const input = (name: string, repository: string) => ({
  name,
  type: 'github' as const,
  owner: 'acme',
  repository,
  host: '127.0.0.1',
  apiUrl: forge.githubApiUrl,
});

describe('checkRegistration', () => {
  it('on a first run asks the forge and writes nothing', async () => {
    const deps = createDeps({env: {BERTH_CONFIG_DIR: path.join(root, 'first')}, cwd: root});
    await expect(checkRegistration(deps, input('w', 'nothere'))).rejects.toThrow(
      '127.0.0.1/acme/nothere was not found.',
    );
    expect(await checkRegistration(deps, input('w', 'widgets'))).toMatchObject({
      status: 'new',
      repository: {path: 'acme/widgets'},
    });
    expect(deps.globalConfig.read().profiles).toEqual([]);
  });

  it('reports a repository registered already, by its location and by its id after a rename', async () => {
    const deps = createDeps({env: {BERTH_CONFIG_DIR: path.join(root, 'again')}, cwd: root});
    await registerRepository(deps, input('w', 'widgets'));
    expect(await checkRegistration(deps, input('widgets', 'widgets'))).toMatchObject({
      status: 'registered',
      repository: {name: 'w'},
    });
    forge.renameRepository('github', 'acme/widgets', 'acme/gadgets');
    expect(await checkRegistration(deps, input('gadgets', 'gadgets'))).toMatchObject({
      status: 'registered',
      repository: {name: 'w'},
    });
    expect((await listRepositories(deps)).repositories.map((r) => r.name)).toEqual(['w']);
  });
});
