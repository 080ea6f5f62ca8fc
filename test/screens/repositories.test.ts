// The repositories screen in a real pseudo-terminal: register this checkout's repository
// (prefilled from its remote), see it matched, describe it, delete it with a confirmation.
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {tempDir} from '../support/cli.js';
import {startForgeServer, type ForgeServer} from '../support/forge-server.js';
import {keys, type PtySession} from '../support/pty.js';
import {git, makeSourceRepository} from '../commands/repo-fixture.js';
import {closeQuietly, createWorld, expectOk} from '../tui/fixture.js';

let forge: ForgeServer;
let session: PtySession | undefined;

beforeAll(async () => {
  forge = await startForgeServer();
  const source = path.join(tempDir('berth-screen-source-'), 'widgets');
  makeSourceRepository(source);
  forge.addRepository({provider: 'github', path: 'acme/widgets', gitDir: source});
});
afterAll(async () => forge?.close());
afterEach(() => closeQuietly(session));

describe('repositories screen', () => {
  it('registers the repository of this checkout, describes it and deletes it', async () => {
    const world = createWorld();
    // Pushed, so the match is a full code reference.
    git(world.checkout, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
    await expectOk(world.berth(['status']));
    session = world.open([], {cols: 120, rows: 40});
    await session.waitFor(/Profile\s+default/);
    await session.write('r');
    await session.waitFor('No code repositories yet');
    session.mark();
    await session.write('n');
    await session.waitFor('Register a code repository');
    await session.waitFor(/owner\/repo\s+acme\/widgets/);
    for (let i = 0; i < 4; i++) await session.write(keys.down);
    await session.type(forge.url);
    session.mark();
    await session.write(keys.enter);
    await session.waitFor("Registered code repository 'widgets'");
    await session.waitFor('← this directory');
    await session.write(keys.enter);
    await session.waitFor('This directory: origin=https://github.com/acme/widgets.git');
    await session.waitFor(/clean yes · pushed\s+yes/);

    const listed = (await expectOk(world.berth(['repo', 'list', '--json']))).json<
      Array<{name: string; host: string; apiUrl: string}>
    >();
    expect(listed).toEqual([
      expect.objectContaining({name: 'widgets', host: 'github.com', apiUrl: forge.url}),
    ]);
    expect(forge.requests.some((request) => request.path === '/repos/acme/widgets')).toBe(true);

    session.mark();
    await session.write('d');
    await session.waitFor('Delete code repository widgets?');
    await session.write('y');
    await session.waitFor("Deleted code repository 'widgets'");
    await session.write('q');
    await session.waitFor(/Profile\s+default/);
    await session.write('q');
    expect(await session.exit).toBe(0);
    expect((await expectOk(world.berth(['repo', 'list', '--json']))).json()).toEqual([]);
  });
});
