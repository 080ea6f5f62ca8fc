// The TUI home and the stack/profile switchers, driven in a real pseudo-terminal.
import {afterEach, describe, expect, it} from 'vitest';
import {createDeps} from '../../source/deps.js';
import {moduleVersionKey, type ModuleVersionRecord} from '../../source/models/module-version.js';
import type {RunRecord, RunStatus} from '../../source/models/run.js';
import type {PublishState} from '../../source/models/publish-events.js';
import {ago} from '../../source/lib/format.js';
import {tokenProblem} from '../../source/screens/home.js';
import {expiryWarning} from '../../source/services/tokens.js';
import {resolveContext} from '../../source/services/context.js';
import {keys, type PtySession} from '../support/pty.js';
import {runBerth, tempDir} from '../support/cli.js';
import {startForgeServer} from '../support/forge-server.js';
import {closeQuietly, createWorld, expectOk, type TuiWorld} from './fixture.js';

type Status = {
  repositoryRoot: string | null;
  profile: {name: string; source: string};
  stack: {name: string; source: string};
};

let session: PtySession | undefined;
afterEach(() => closeQuietly(session));

async function givenRepositoryWithStacks(): Promise<TuiWorld> {
  const world = createWorld();
  await expectOk(world.berth(['init']));
  for (const name of ['gpu-a100', 'gpu-h100', 'cpu.small'])
    await expectOk(world.berth(['stack', 'register', name]));
  return world;
}

describe('berth (TUI home)', () => {
  it('shows the active profile and stack with their source, and quits with q', async () => {
    const world = createWorld();
    await expectOk(world.berth(['status']));
    session = world.open();
    await session.waitFor(/Profile\s+default \(global\)/);
    await session.waitFor(/Stack\s+default \(global\)/);
    await session.waitFor('not a berth repository — press i to init');
    // The checkout, tokens and history are read after the first frame.
    await session.waitFor(/Code\s+unregistered @ [0-9a-f]{7}/);
    await session.waitFor(/Tokens\s+none — press t to add one/);
    await session.waitFor(/Recent\s+No publishes or runs yet\./);
    await session.write('q');
    expect(await session.exit).toBe(0);
  });

  it('switches the stack by typing a filter and Enter, in this repository', async () => {
    const world = await givenRepositoryWithStacks();
    session = world.open();
    await session.waitFor(/Stack\s+default \(local\)/);
    await session.write('s');
    await session.waitFor('● this repository');
    await session.waitFor(/Filter: .*4\/4/);
    session.mark();
    await session.type('h1');
    await session.waitFor(/Filter: h1.*1\/4/);
    // The highlighted stack's components are shown beside the list.
    await session.waitFor(/orchestrator\s+default \(docker\)/);
    await session.write(keys.enter);
    await session.waitFor("Active stack: 'gpu-h100' (this repository).");
    await session.waitFor(/Stack\s+gpu-h100 \(local\)/);
    expect(world.repositoryConfig()).toMatch(/active_stack: gpu-h100/);
    await session.write('q');
    expect(await session.exit).toBe(0);

    const status = (await expectOk(world.berth(['status', '--json']))).json<Status>();
    expect(status.stack).toEqual({name: 'gpu-h100', source: 'local'});
    expect(status.repositoryRoot).toBe(world.checkout);
  });

  it('filters on "-" and "." like any other name character, and Backspace widens again', async () => {
    const world = await givenRepositoryWithStacks();
    session = world.open();
    await session.waitFor(/Stack\s+default/);
    await session.write('s');
    await session.waitFor(/4\/4/);
    session.mark();
    await session.type('u-');
    await session.waitFor(/Filter: u-.*2\/4/);
    session.mark();
    await session.write(keys.backspace);
    await session.write(keys.backspace);
    await session.type('.s');
    await session.waitFor(/Filter: \.s.*1\/4/);
    await session.write(keys.enter);
    await session.waitFor("Active stack: 'cpu.small'");
    expect(world.repositoryConfig()).toMatch(/active_stack: cpu\.small/);
  });

  it('Tab applies the switch globally; the repository keeps its own stack', async () => {
    const world = await givenRepositoryWithStacks();
    session = world.open();
    await session.waitFor(/Stack\s+default \(local\)/);
    await session.write('s');
    await session.waitFor('● this repository');
    await session.write(keys.tab);
    await session.waitFor('● global');
    await session.type('a100');
    await session.waitFor(/Filter: a100.*1\/4/);
    await session.write(keys.enter);
    await session.waitFor(
      "Active stack: 'gpu-a100' (global); this repository's own stack 'default' still applies",
    );
    await session.write('q');
    expect(await session.exit).toBe(0);

    expect(world.globalConfig()?.profiles.find((p) => p.name === 'default')?.activeStack).toBe(
      'gpu-a100',
    );
    expect(world.repositoryConfig()).toMatch(/active_stack: default/);
    const outside = (await expectOk(world.berth(['status', '--json'], tempDir()))).json<Status>();
    expect(outside.stack).toEqual({name: 'gpu-a100', source: 'global'});
  });

  it('"-" returns to the previous stack, like cd -', async () => {
    const world = await givenRepositoryWithStacks();
    await expectOk(world.berth(['stack', 'set', 'gpu-a100']));
    session = world.open();
    await session.waitFor(/Stack\s+gpu-a100 \(local\)/);
    await session.write('-');
    await session.waitFor("Active stack: 'default' (this repository).");
    await session.waitFor(/Stack\s+default \(local\)/);
    expect(world.repositoryConfig()).toMatch(/active_stack: default/);
    await session.write('-');
    await session.waitFor("Active stack: 'gpu-a100' (this repository).");
    expect(world.repositoryConfig()).toMatch(/active_stack: gpu-a100/);
  });

  it('outside a repository the switcher says only the global stack can change, and i inits here', async () => {
    const world = createWorld();
    await expectOk(world.berth(['stack', 'register', 'gpu']));
    session = world.open();
    await session.waitFor('press i to init');
    await session.write('s');
    await session.waitFor('outside a berth repository only the global stack can change');
    await session.write(keys.tab);
    await session.write(keys.escape);
    await session.waitFor('press i to init');
    session.mark();
    await session.write('i');
    await session.waitFor(`Initialized a berth repository at ${world.checkout}`);
    await session.waitFor(/Stack\s+default \(local\)/);
    expect(world.repositoryConfig()).toMatch(/active_stack: default/);
  });

  it('switches the profile with p', async () => {
    const world = await givenRepositoryWithStacks();
    await expectOk(world.berth(['profile', 'create', 'team']));
    session = world.open();
    await session.waitFor(/Profile\s+default \(local\)/);
    await session.write('p');
    await session.waitFor(/Filter: .*2\/2/);
    await session.type('te');
    await session.waitFor(/Filter: te.*1\/2/);
    await session.write(keys.enter);
    await session.waitFor("Active profile: 'team' (this repository).");
    await session.waitFor(/Profile\s+team \(local\)/);
    expect(world.repositoryConfig()).toMatch(/active_profile: team/);
  });

  it('? shows the keys; m opens the published modules, empty on a new profile', async () => {
    const world = createWorld();
    await expectOk(world.berth(['status']));
    session = world.open();
    await session.waitFor(/Profile\s+default/);
    await session.write('?');
    await session.waitFor('previous stack (cd -)');
    await session.write(keys.escape);
    await session.waitFor(/Profile\s+default/);
    session.mark();
    await session.write('m');
    await session.waitFor('No modules published yet.');
    expect(session.text()).not.toMatch(/failed:|not available/);
    session.mark();
    await session.write(keys.escape);
    await session.waitFor(/Profile\s+default/);
  });

  it("m lists the profile's versions newest first, with state and stack", async () => {
    const world = createWorld();
    await expectOk(world.berth(['status']));
    await seedHistory(
      world,
      [
        {slug: 'trainer', version: 1, status: 'published', minutesAgo: 90},
        {slug: 'trainer', version: 2, status: 'failed', minutesAgo: 30},
        {slug: 'scorer', version: 1, status: 'published', minutesAgo: 60},
        {slug: 'scorer', version: 2, status: 'cancelled', minutesAgo: 10},
      ],
      [],
    );
    session = world.open([], {rows: 40});
    // Home has read its recent publishes (they show there without the stack).
    await session.waitFor(/Publishes\s+scorer@2 cancelled · 10m ago/);
    session.mark();
    await session.write('m');
    await session.waitFor(/trainer@1 published · default · 1h ago/);
    const screen = session.text();
    const at = (pattern: RegExp) => screen.search(pattern);
    expect(at(/trainer@2 failed · default · 30m ago · step 3 failed/)).toBeGreaterThanOrEqual(0);
    expect(at(/trainer@2 failed · default/)).toBeLessThan(at(/scorer@1 published · default/));
    expect(at(/scorer@1 published · default · 1h ago/)).toBeLessThan(
      at(/trainer@1 published · default/),
    );
    expect(screen).not.toContain('No modules published yet.');
    // A cancelled version says so once, not "cancelled · … · Cancelled.".
    expect(screen).toMatch(/scorer@2 cancelled · default · 10m ago\s*\n/);
    await session.write('q');
    await session.waitFor(/Profile\s+default/);
  });

  it('a version at 60x15 keeps every detail row, with how to run it', async () => {
    const world = createWorld();
    await expectOk(world.berth(['status']));
    await seedHistory(
      world,
      [
        {slug: 'trainer', version: 1, status: 'published', minutesAgo: 90},
        {slug: 'trainer', version: 2, status: 'failed', minutesAgo: 30},
      ],
      [
        {id: 'r-one', module: 'trainer', version: 1, status: 'succeeded', minutesAgo: 80},
        {id: 'r-two', module: 'trainer', version: 1, status: 'succeeded', minutesAgo: 70},
      ],
    );
    session = world.open([], {cols: 60, rows: 15});
    await session.waitFor(/Publishes\s+trainer@2 failed/);
    session.mark();
    await session.write('m');
    await session.waitFor(/trainer@1 published · default/);
    await session.write(keys.down);
    session.mark();
    await session.write(keys.enter);
    const rows = await session.waitForScreen(/Parameters\s+none/);
    const shown = rows.join('\n');
    expect(rows[0]).toContain('berth · modules · trainer@1');
    expect(shown).toMatch(/State\s+published on stack default/);
    expect(shown).toMatch(/Run\s+r runs it with the defaults/);
    expect(shown).toMatch(/Digest\s+none/);
    expect(shown).toContain('run r-two succeeded');
    expect(rows.some((row) => row.includes('enter open log'))).toBe(true);
    // A failed version has nothing to run.
    await session.write(keys.escape);
    await session.write(keys.up);
    session.mark();
    await session.write(keys.enter);
    const failed = await session.waitForScreen(/State\s+failed on stack default · step 3 failed/);
    expect(failed.join('\n')).not.toMatch(/Run\s+(r runs it|berth run)/);
  });

  it('Ctrl+C exits 130 and shows the cursor again', async () => {
    const world = createWorld();
    await expectOk(world.berth(['status']));
    session = world.open();
    await session.waitFor(/Profile\s+default/);
    await session.write('s');
    await session.waitFor('Filter');
    session.mark();
    await session.write(keys.ctrlC);
    expect(await session.exit).toBe(130);
    // cli-cursor hid it for the TUI; it must be visible once berth is gone.
    const output = session.output;
    expect(output.lastIndexOf('\u001b[?25h')).toBeGreaterThan(output.lastIndexOf('\u001b[?25l'));
  });
});

const minute = 60_000;

/** Module versions and runs written the way publish and run write them: into the profile store. */
async function seedHistory(
  world: TuiWorld,
  publishes: Array<{slug: string; version: number; status: PublishState; minutesAgo: number}>,
  runs: Array<{id: string; module: string; version: number; status: RunStatus; minutesAgo: number}>,
): Promise<void> {
  const deps = createDeps({env: {...world.env}, cwd: world.checkout});
  try {
    const context = await resolveContext(deps);
    const store = await deps.openStore(context.profile);
    for (const publish of publishes) {
      const at = new Date(Date.now() - publish.minutesAgo * minute).toISOString();
      const record: ModuleVersionRecord = {
        slug: publish.slug,
        name: publish.slug,
        version: publish.version,
        status: publish.status,
        visibility: 'private',
        image: null,
        digest: null,
        commit: null,
        codeReference: null,
        schema: {
          name: publish.slug,
          slug: publish.slug,
          description: '',
          kind: 'data-processor',
          entryPoint: 'train.py',
          function: 'main',
          parameters: [],
          metadata: {},
        },
        projectPath: world.checkout,
        hostname: 'elsewhere',
        entryPoint: 'train.py',
        entryPointSha256: '0'.repeat(64),
        mode: 'full',
        dependencyChecksum: null,
        reused: false,
        baseImage: 'python:3.11',
        stack: 'default',
        registry: null,
        engine: null,
        sizeBytes: null,
        steps: [],
        labels: {},
        logFile: '/dev/null',
        // As the publish service records them.
        error:
          publish.status === 'failed'
            ? 'step 3 failed'
            : publish.status === 'cancelled'
              ? 'Cancelled.'
              : null,
        createdAt: at,
        updatedAt: at,
        finishedAt: at,
        durationMs: 1000,
      };
      await store
        .collection<ModuleVersionRecord>('modules')
        .insert(moduleVersionKey(publish.slug, publish.version), record);
    }
    for (const run of runs) {
      const at = new Date(Date.now() - run.minutesAgo * minute).toISOString();
      const record: RunRecord = {
        id: run.id,
        module: run.module,
        version: run.version,
        status: run.status,
        startedAt: at,
        finishedAt: run.status === 'running' ? null : at,
        parameters: {},
        image: null,
        digest: null,
        codeReference: null,
        orchestrator: {name: 'default', flavor: 'local'},
        stack: 'default',
        exitCode: run.status === 'succeeded' ? 0 : null,
        error: null,
      };
      await store.collection<RunRecord>('runs').insert(run.id, record);
    }
  } finally {
    await deps.close();
  }
}

describe('home: tokens and recent activity', () => {
  it('lists the tokens by storage without reading a secret, and the newest publishes and runs', async () => {
    const forge = await startForgeServer({
      tokens: [{token: 'ghp_homeTuiTestToken0000000000000000hm01', login: 'octocat', scopes: []}],
    });
    try {
      const world = createWorld();
      const stored = await runBerth(
        [
          'token',
          'add',
          'github',
          '--api-url',
          forge.githubApiUrl,
          '--name',
          'forge',
          '--stdin',
          '--insecure-storage',
        ],
        {cwd: world.checkout, env: world.env, input: 'ghp_homeTuiTestToken0000000000000000hm01\n'},
      );
      expect(stored.code, stored.stderr).toBe(0);
      await seedHistory(
        world,
        [1, 2, 3, 4, 5, 6].map((version) => ({
          slug: 'trainer',
          version,
          status: version === 6 ? 'failed' : 'published',
          minutesAgo: 60 - version,
        })),
        [
          {id: 'r-old', module: 'trainer', version: 1, status: 'succeeded', minutesAgo: 300},
          {id: 'r-new', module: 'trainer', version: 5, status: 'running', minutesAgo: 2},
        ],
      );
      // An environment token shows as such; tall enough for five of each.
      session = world.open([], {env: {GITLAB_TOKEN: 'glpat-homeEnvToken0000hm02'}, rows: 40});
      await session.waitFor(/Tokens\s+2 tokens · forge \(file\) · gitlab \(env\)/);
      await session.waitFor(/Publishes\s+trainer@6 failed · 5\dm ago/);
      await session.waitFor(/trainer@2 published · 5\dm ago/);
      await session.waitFor(/Runs\s+trainer@5 running · 2m ago · r-new/);
      await session.waitFor(/trainer@1 succeeded · 5h ago · r-old/);
      const screen = session.text();
      // The five newest versions only.
      expect(screen).not.toMatch(/trainer@1 published/);
      expect(screen).not.toContain('No publishes or runs yet.');
      expect(session.output).not.toContain('glpat-homeEnvToken0000hm02');
      expect(session.output).not.toContain('ghp_homeTuiTestToken0000000000000000hm01');
      await session.write('q');
      expect(await session.exit).toBe(0);
    } finally {
      await forge.close();
    }
  });

  it('flags expired and expiring tokens, and says how long ago', () => {
    const now = Date.parse('2025-06-10T12:00:00Z');
    const token = {
      name: 'gh',
      provider: 'github' as const,
      apiUrl: 'https://api.github.com',
      login: 'ana',
      storage: 'keychain' as const,
      envVar: null,
    };
    // The tokens service decides (the same rule adds a note when a token is verified); home
    // phrases it.
    const status = (expiresAt: string | null) => ({
      ...token,
      expiresAt,
      expiry: expiryWarning(expiresAt, now) ?? null,
    });
    expect(tokenProblem(status('2025-06-01T00:00:00Z'))).toBe('gh expired 2025-06-01');
    expect(tokenProblem(status('2025-06-12T12:00:00Z'))).toBe('gh expires in 2d');
    expect(tokenProblem(status('2026-01-01T00:00:00Z'))).toBeUndefined();
    expect(tokenProblem(status(null))).toBeUndefined();
    expect(ago('2025-06-10T11:57:00Z', now)).toBe('3m ago');
    expect(ago('2025-06-08T12:00:00Z', now)).toBe('2d ago');
  });
});

// eslint-disable-next-line no-control-regex -- terminal escapes are what it matches
const colorCode = /\u001b\[(?:\d+;)*(?:3[0-7]|9[0-7]|4[0-7]|10[0-7]|38|48)(?:;\d+)*m/;

describe('terminal conditions', () => {
  it('writes no color at all under NO_COLOR, and colors without it', async () => {
    const world = await givenRepositoryWithStacks();
    session = world.open([], {env: {NO_COLOR: '1'}});
    await session.waitFor(/Code\s+unregistered/);
    await session.write('s');
    await session.waitFor(/4\/4/);
    await session.write('?');
    await session.write(keys.escape);
    await session.write(keys.ctrlC);
    await session.exit;
    expect(session.output).not.toMatch(colorCode);

    const colored = world.open([]);
    await colored.waitFor(/Code\s+unregistered/);
    colored.kill();
    expect(colored.output).toMatch(colorCode);
  });

  it('fits 80x24 and redraws after a resize', async () => {
    const world = await givenRepositoryWithStacks();
    session = world.open([], {cols: 120, rows: 40});
    await session.waitFor(/Stack\s+default/);
    session.resize(80, 24);
    session.mark();
    await session.write('s');
    await session.waitFor(/Filter: .*4\/4/);
    await session.waitFor('esc back');
    session.mark();
    session.resize(60, 20);
    await session.type('gpu');
    await session.waitFor(/Filter: gpu.*2\/4/);
    await session.write(keys.escape);
    await session.write('q');
    expect(await session.exit).toBe(0);
  });
});
