// Shell completion: `berth __complete` (commands, flags and names from the store) and the
// scripts of `berth completion bash|zsh|fish`, loaded into a real bash, zsh and fish. Also
// `berth status --prompt`, the other thing a shell runs on every line.
import {execFileSync} from 'node:child_process';
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {moduleVersionKey, type ModuleVersionRecord} from '../../source/models/module-version.js';
import {openSqliteStore} from '../../source/store/sqlite-store.js';
import {cleanEnv, cliPath, nodeBinary, repoRoot, runBerth, tempDir} from '../support/cli.js';
import {spawnInPty, type PtySession} from '../support/pty.js';

let configDir: string;
let project: string;
let bin: string;
const berth = (args: string[], env: Record<string, string> = {}) =>
  runBerth(args, {cwd: project, env: {BERTH_CONFIG_DIR: configDir, ...env}});

async function ok(args: string[], env: Record<string, string> = {}) {
  const result = await berth(args, env);
  expect(result.code, `berth ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

/** `berth` on PATH, as a user has it after `npm link`. */
function shellEnv(): Record<string, string> {
  return cleanEnv({BERTH_CONFIG_DIR: configDir, PATH: `${bin}:${process.env.PATH}`});
}

const values = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t')[0]);

beforeAll(async () => {
  configDir = tempDir('berth-completion-config-');
  project = tempDir('berth-completion-project-');
  bin = tempDir('berth-completion-bin-');
  writeFileSync(path.join(bin, 'berth'), `#!/bin/sh\nexec '${nodeBinary}' '${cliPath}' "$@"\n`);
  chmodSync(path.join(bin, 'berth'), 0o755);
  for (const stack of ['gpu', 'gpu-big', 'cpu']) await ok(['stack', 'register', stack]);
  await ok(['profile', 'create', 'team']);
  await ok(['component', 'register', 'image_builder', 'engine', '--flavor', 'docker']);
  // A code repository (the custom example over a local bare repository: no network).
  const mirror = path.join(tempDir('berth-completion-mirror-'), 'models.git');
  execFileSync('git', ['init', '-q', '--bare', mirror]);
  const example = path.join(repoRoot, 'examples/custom-repository/git-mirror-repository.mjs');
  await ok([
    'repo',
    'register',
    'models',
    '--type',
    'custom',
    '--source',
    `${example}#GitMirrorRepository`,
    '--option',
    `url=${mirror}`,
  ]);
  // Token metadata as `berth token add` writes it (the secret is not needed to complete names).
  writeFileSync(
    path.join(configDir, 'tokens.json'),
    JSON.stringify({
      version: 1,
      tokens: [
        {
          name: 'work',
          provider: 'github',
          apiUrl: 'https://api.github.com',
          login: 'octo-work',
          scopes: ['repo'],
          storage: 'keychain',
          createdAt: '2026-01-01T00:00:00.000Z',
          lastVerifiedAt: null,
        },
      ],
    }),
  );
  await recordPublishedVersions([
    ['trainer', 1],
    ['trainer', 2],
    ['tokenizer', 1],
  ]);
});

/**
 * Module versions as a publish records them in the profile's store (completion reads only the
 * store; building images is publish's tests' business).
 */
async function recordPublishedVersions(versions: Array<[slug: string, version: number]>) {
  const store = await openSqliteStore(path.join(configDir, 'profiles', 'default.db'));
  try {
    const at = new Date().toISOString();
    for (const [slug, version] of versions) {
      const record: ModuleVersionRecord = {
        slug,
        name: slug,
        version,
        status: 'published',
        visibility: 'private',
        image: `local/${slug}:${version}`,
        digest: `sha256:${String(version).repeat(64)}`,
        commit: null,
        codeReference: null,
        schema: {
          name: slug,
          slug,
          description: '',
          kind: 'data-processor',
          entryPoint: 'main.py',
          function: 'main',
          parameters: [],
          metadata: {},
        },
        projectPath: project,
        hostname: 'here',
        entryPoint: 'main.py',
        entryPointSha256: '0'.repeat(64),
        mode: 'full',
        dependencyChecksum: null,
        reused: false,
        baseImage: 'python:3.11-slim',
        stack: 'default',
        registry: 'local',
        engine: null,
        sizeBytes: null,
        steps: [],
        labels: {},
        logFile: '/dev/null',
        error: null,
        createdAt: at,
        updatedAt: at,
        finishedAt: at,
        durationMs: 1,
      };
      await store
        .collection<ModuleVersionRecord>('modules')
        .insert(moduleVersionKey(slug, version), record);
    }
  } finally {
    await store.close();
  }
}

describe('berth __complete', () => {
  it('completes commands, subcommands and flags from the program', async () => {
    expect(values((await ok(['__complete', 'st'])).stdout)).toEqual(['status', 'stack']);
    expect(values((await ok(['__complete', 'stack', ''])).stdout)).toEqual(
      expect.arrayContaining(['register', 'list', 'set', 'update', 'delete', 'rename', 'copy']),
    );
    const flags = values((await ok(['__complete', 'stack', 'register', 'x', '--'])).stdout);
    expect(flags).toEqual(expect.arrayContaining(['--orchestrator', '--set', '--stack', '--jq']));
  });

  it('completes names from the store: stacks, profiles, components, tokens, repositories, modules', async () => {
    expect(values((await ok(['__complete', 'stack', 'set', 'gp'])).stdout)).toEqual([
      'gpu',
      'gpu-big',
    ]);
    expect(values((await ok(['__complete', 'stack', 'list', '--stack', ''])).stdout)).toEqual([
      'default',
      'gpu',
      'gpu-big',
      'cpu',
    ]);
    expect(values((await ok(['__complete', 'status', '--stack=c'])).stdout)).toEqual([
      '--stack=cpu',
    ]);
    expect(values((await ok(['__complete', 'profile', 'set', ''])).stdout)).toEqual([
      'default',
      'team',
    ]);
    // The default stack's image builder is named default too.
    expect(values((await ok(['__complete', 'stack', 'register', 'x', '-i', ''])).stdout)).toEqual([
      'default',
      'engine',
    ]);
    expect(
      values((await ok(['__complete', 'component', 'describe', 'image_builder', ''])).stdout),
    ).toEqual(['default', 'engine']);
    expect(values((await ok(['__complete', 'token', 'use', ''])).stdout)).toEqual(['work']);
    expect(values((await ok(['__complete', 'repo', 'download', 'mo'])).stdout)).toEqual(['models']);
    // Module names, once each whatever the number of versions, for describe and run.
    expect(values((await ok(['__complete', 'module', 'describe', ''])).stdout)).toEqual([
      'trainer',
      'tokenizer',
    ]);
    expect(values((await ok(['__complete', 'run', 'tr'])).stdout)).toEqual(['trainer']);
    // --profile on the line: names come from that profile's store.
    expect(
      values((await ok(['__complete', '--profile', 'team', 'stack', 'set', ''])).stdout),
    ).toEqual(['default']);
  });

  it("shows nothing from outside raw: a cloned repository's token hosts and names", async () => {
    // A repository anyone can clone controls its .berth/config.yaml: an OSC 52 clipboard write
    // as a host, text hiding (SGR 8) in a token name. The shell prints candidates in its menu.
    const clone = tempDir('berth-completion-hostile-');
    execFileSync('git', ['init', '-q', clone]);
    mkdirSync(path.join(clone, '.berth'));
    writeFileSync(
      path.join(clone, '.berth/config.yaml'),
      'tokens:\n  "\\e]52;c;aGk=\\a": work\n  github.com: "work\\e[8m"\n',
    );
    const result = await runBerth(['__complete', 'token', 'unuse', ''], {
      cwd: clone,
      env: {BERTH_CONFIG_DIR: configDir},
    });
    expect(result.code, result.stderr).toBe(0);
    // eslint-disable-next-line no-control-regex -- control characters are what it looks for
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    // The host that can't be typed is left out; the description shows what was there.
    expect(result.stdout).toBe('github.com\twork\u241b[8m\n');
  });

  it('prints nothing, and exits 0, when the store cannot be read', async () => {
    const result = await berth(['__complete', 'stack', 'set', ''], {BERTH_STACK: 'gone'});
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
  });
});

describe('completion scripts in real shells', () => {
  it('bash: the script registers a completion function that completes a stack name', () => {
    const script = [
      'source <(berth completion bash)',
      'complete -p berth',
      'COMP_WORDS=(berth stack set gp); COMP_CWORD=3; _berth',
      'printf "reply:%s\\n" "${COMPREPLY[@]}"',
      'COMP_WORDS=(berth sta); COMP_CWORD=1; _berth',
      'printf "reply:%s\\n" "${COMPREPLY[@]}"',
      'COMP_WORDS=(berth module describe to); COMP_CWORD=3; _berth',
      'printf "module:%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const output = execFileSync('bash', ['--noprofile', '--norc', '-c', script], {
      cwd: project,
      env: shellEnv(),
      encoding: 'utf8',
    });
    expect(output).toContain('complete -o default -F _berth berth');
    expect(output).toContain('reply:gpu\nreply:gpu-big\n');
    expect(output).toContain('reply:status\nreply:stack\n');
    expect(output).toContain('module:tokenizer\n');
    expect(output).not.toContain('module:trainer');
  });

  it('fish: the script completes commands, stack names, --stack= values, else file names', () => {
    mkdirSync(path.join(project, 'scripts-dir'), {recursive: true});
    const script = [
      'berth completion fish | source',
      "complete -C 'berth sta'",
      'echo ---',
      "complete -C 'berth stack set gp'",
      'echo ---',
      "complete -C 'berth status --stack=c'",
      'echo ---',
      // berth offers nothing for a path: the shell's own file names, as bash's -o default.
      "complete -C 'berth publish ./scripts-'",
    ].join('\n');
    const output = execFileSync('fish', ['--no-config', '-c', script], {
      cwd: project,
      env: shellEnv(),
      encoding: 'utf8',
    });
    const [commands, stacks, flag, files] = output.split('---\n').map(values);
    // fish sorts what it offers.
    expect(commands).toEqual(['stack', 'status']);
    expect(stacks).toEqual(['gpu', 'gpu-big']);
    expect(flag).toEqual(['--stack=cpu']);
    expect(files).toEqual(['./scripts-dir/']);
  });

  /** A real interactive shell in a pty, with berth's completion loaded by `setup`. */
  async function inShell(
    shell: string,
    args: string[],
    setup: string,
    drive: (session: PtySession) => Promise<void>,
  ) {
    const session = spawnInPty(shell, args, {
      cwd: project,
      env: {...shellEnv(), PS1: 'ready> ', TERM: 'xterm-256color'},
    });
    try {
      await session.waitFor('ready>');
      session.mark();
      await session.type(`${setup}\r`);
      await session.waitFor('ready>');
      session.mark();
      // `cp` alone names no stack: the output shows Tab completed it to `cpu`.
      await session.type('berth stack describe cp');
      await session.write('\t');
      await session.waitFor('stack describe cpu');
      await session.write('\r');
      await session.waitFor("Stack 'cpu'");
      session.mark();
      await drive(session);
    } finally {
      session.kill();
    }
  }

  /** Tab after `berth run tra` completes the module name `trainer` from the store. */
  async function completesModuleName(session: PtySession) {
    await session.type('berth run tra');
    await session.write('\t');
    await session.waitFor('berth run trainer');
    // Not run: Ctrl+C drops the line.
    session.mark();
    await session.write('\u0003');
    await session.waitFor('ready>');
  }

  it('bash: Tab in an interactive shell completes a stack name and a module name', async () => {
    await inShell(
      'bash',
      ['--noprofile', '--norc', '-i'],
      'source <(berth completion bash)',
      completesModuleName,
    );
  });

  it('zsh: with compinit, Tab completes a stack name and a module name, and lists the choices', async () => {
    await inShell(
      'zsh',
      ['-f', '-i'],
      'autoload -Uz compinit && compinit -u -D && source <(berth completion zsh)',
      async (session) => {
        await completesModuleName(session);
        session.mark();
        await session.type('berth stack describe gpu');
        await session.write('\t');
        await session.write('\t');
        await session.waitFor('gpu-big');
      },
    );
  });
});

describe('berth status --prompt', () => {
  it('prints one line: profile/stack, the source when a variable or flag chose it', async () => {
    expect((await ok(['status', '--prompt'])).stdout).toBe('default/default\n');
    expect((await ok(['status', '--prompt'], {BERTH_STACK: 'gpu'})).stdout).toBe(
      'default/gpu (env)\n',
    );
    expect((await ok(['status', '--prompt', '--profile', 'team'])).stdout).toBe(
      'team/default (flag)\n',
    );
    const broken = await berth(['status', '--prompt'], {BERTH_STACK: 'gone'});
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toBe('');
  });

  it('shows the account chosen for this directory', async () => {
    const repository = tempDir('berth-prompt-repo-');
    const run = (args: string[]) =>
      runBerth(args, {cwd: repository, env: {BERTH_CONFIG_DIR: configDir}});
    expect((await run(['init'])).code).toBe(0);
    expect((await run(['token', 'use', 'work'])).code).toBe(0);
    expect((await run(['stack', 'set', 'gpu'])).code).toBe(0);
    expect((await run(['status', '--prompt'])).stdout).toBe('default/gpu @octo-work\n');
  });
});
