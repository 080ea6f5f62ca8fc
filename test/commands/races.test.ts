// Check-then-write races, through the built CLI: each pair runs at once, many times, and the
// state afterwards must be one that a sequential order of the two could have produced.
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import {runBerth, tempDir, type RunResult} from '../support/cli.js';

const rounds = 10;
// Each round runs several berth processes; the machine may be busy.
const timeout = 300_000;
let configDir: string;
let project: string;
const berth = (args: string[], cwd = project) =>
  runBerth(args, {cwd, env: {BERTH_CONFIG_DIR: configDir}, timeoutMs: 120_000});

async function ok(result: Promise<RunResult>): Promise<RunResult> {
  const done = await result;
  expect(done.code, `${done.stdout}\n${done.stderr}`).toBe(0);
  return done;
}

/** A failure that is one of the answers a sequential order gives, never a crash. */
function expectCleanOutcome(result: RunResult): void {
  expect(result.stderr).not.toContain('berth hit a bug');
  expect([0, 1]).toContain(result.code);
}

type Config = {activeProfile: string; profiles: Array<{name: string; activeStack: string}>};
const globalConfig = (): Config =>
  JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8')) as Config;
const stackNames = async (cwd = project) =>
  (await ok(berth(['stack', 'list', '--json'], cwd)))
    .json<Array<{name: string}>>()
    .map((stack) => stack.name);

beforeEach(async () => {
  configDir = tempDir('berth-config-');
  project = tempDir('berth-project-');
  await ok(berth(['init']));
});

describe('stack set ‖ stack delete / rename', () => {
  it(
    'never leaves this repository or the profile naming a deleted stack',
    async () => {
      for (let round = 0; round < rounds; round++) {
        const name = `s${round}`;
        await ok(berth(['stack', 'register', name]));
        // Half the rounds in this repository, half globally.
        const global = round % 2 === 1;
        const [set, remove] = await Promise.all([
          berth(['stack', 'set', name, ...(global ? ['--global'] : [])]),
          berth(['stack', 'delete', '-y', name]),
        ]);
        expectCleanOutcome(set);
        expectCleanOutcome(remove);
        const exists = (await stackNames()).includes(name);
        // Exactly one of them won.
        expect(set.code === 0 && exists ? 1 : remove.code === 0 && !exists ? 1 : 0).toBe(1);
        if (!exists) {
          expect(globalConfig().profiles[0]?.activeStack).not.toBe(name);
          expect(readFileSync(path.join(project, '.berth/config.yaml'), 'utf8')).not.toContain(
            `active_stack: ${name}\n`,
          );
        }
      }
    },
    timeout,
  );

  it(
    'a rename never leaves the active stack under the old name',
    async () => {
      for (let round = 0; round < rounds; round++) {
        const from = `r${round}`;
        const to = `renamed${round}`;
        await ok(berth(['stack', 'register', from]));
        const global = round % 2 === 1;
        const [set, rename] = await Promise.all([
          berth(['stack', 'set', from, ...(global ? ['--global'] : [])]),
          berth(['stack', 'rename', from, to]),
        ]);
        expectCleanOutcome(set);
        expectCleanOutcome(rename);
        expect(rename.code, rename.stderr).toBe(0);
        const active = global
          ? globalConfig().profiles[0]?.activeStack
          : /active_stack: (\S+)/.exec(
              readFileSync(path.join(project, '.berth/config.yaml'), 'utf8'),
            )?.[1];
        expect(active).not.toBe(from);
        // A set that succeeded is kept, under the stack's new name.
        if (set.code === 0) expect(active).toBe(to);
      }
    },
    timeout,
  );
});

describe('profile delete ‖ profile create', () => {
  it(
    'never lists a profile whose store was deleted',
    async () => {
      for (let round = 0; round < rounds; round++) {
        const name = 'team';
        await ok(berth(['profile', 'create', name]));
        const [remove, create] = await Promise.all([
          berth(['profile', 'delete', name]),
          berth(['profile', 'create', name]),
        ]);
        expectCleanOutcome(remove);
        expectCleanOutcome(create);
        const listed = globalConfig().profiles.some((profile) => profile.name === name);
        const store = path.join(configDir, 'profiles', `${name}.db`);
        expect(existsSync(store), `round ${round}: listed ${listed}`).toBe(listed);
        if (listed) {
          // Its store is whole: the default stack is there.
          const stacks = await ok(
            berth(['stack', 'list', '--json'], tempDir()).then((r) => r),
          ).catch(() => undefined);
          expect(stacks).toBeDefined();
          const inProfile = await ok(berth(['stack', 'list', '--json', '--profile', name]));
          expect(inProfile.json<Array<{name: string}>>().map((s) => s.name)).toContain('default');
          await ok(berth(['profile', 'delete', name]));
        }
      }
    },
    timeout,
  );
});

describe('component delete ‖ stack register', () => {
  it(
    'never leaves a stack naming a deleted component',
    async () => {
      for (let round = 0; round < rounds; round++) {
        const component = `o${round}`;
        const stack = `with-o${round}`;
        await ok(berth(['component', 'register', 'orchestrator', component, '--flavor', 'local']));
        const [remove, register] = await Promise.all([
          berth(['component', 'delete', 'orchestrator', component]),
          berth(['stack', 'register', stack, '-o', component]),
        ]);
        expectCleanOutcome(remove);
        expectCleanOutcome(register);
        const components = (await ok(berth(['component', 'list', '--json'])))
          .json<Array<{name: string}>>()
          .map((c) => c.name);
        if ((await stackNames()).includes(stack)) {
          expect(components).toContain(component);
          const describe = await berth(['stack', 'describe', stack]);
          expect(describe.code, describe.stderr).toBe(0);
        }
      }
    },
    timeout,
  );
});
