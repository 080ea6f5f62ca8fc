// The prompt snippet (`berth status --prompt --init bash|zsh`) in real bash and zsh: each prompt
// shows the right profile/stack after whatever could change it, and a redraw with nothing
// changed starts no berth at all. `berth` on PATH is a wrapper that counts its starts.
import {execFileSync} from 'node:child_process';
import {chmodSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import {cleanEnv, cliPath, nodeBinary, runBerth, tempDir} from '../support/cli.js';
import {spawnInPty} from '../support/pty.js';

let configDir: string;
let repository: string;
let elsewhere: string;
let counter: string;
let bin: string;

async function ok(args: string[], cwd: string) {
  const result = await runBerth(args, {cwd, env: {BERTH_CONFIG_DIR: configDir}});
  expect(result.code, `berth ${args.join(' ')}\n${result.stderr}`).toBe(0);
}

beforeEach(async () => {
  configDir = tempDir('berth-prompt-config-');
  repository = tempDir('berth-prompt-repo-');
  elsewhere = tempDir('berth-prompt-elsewhere-');
  bin = tempDir('berth-prompt-bin-');
  counter = path.join(bin, 'starts');
  writeFileSync(
    path.join(bin, 'berth'),
    `#!/bin/sh\necho start >> '${counter}'\nexec '${nodeBinary}' '${cliPath}' "$@"\n`,
  );
  chmodSync(path.join(bin, 'berth'), 0o755);
  for (const stack of ['gpu', 'cpu']) await ok(['stack', 'register', stack], elsewhere);
  await ok(['init'], repository);
  await ok(['stack', 'set', 'gpu'], repository);
  writeFileSync(
    path.join(configDir, 'tokens.json'),
    JSON.stringify({version: 1, tokens: [tokenMetadata('work', 'octo-work')]}),
  );
});

function tokenMetadata(name: string, login: string) {
  return {
    name,
    provider: 'github',
    apiUrl: 'https://api.github.com',
    login,
    scopes: ['repo'],
    storage: 'keychain',
    createdAt: '2026-01-01T00:00:00.000Z',
    lastVerifiedAt: null,
  };
}

/** A shell command, then a prompt: the line the prompt shows and how many times berth started. */
type Step = {run: string; prompt: string; starts: number};

const shells = {
  bash: {
    args: ['--noprofile', '--norc', '-c'],
    load: 'eval "$(berth status --prompt --init bash)"',
    // What bash does before it draws PS1.
    hooks: 'eval "$PROMPT_COMMAND"',
  },
  zsh: {
    args: ['-f', '-c'],
    load: 'eval "$(berth status --prompt --init zsh)"',
    hooks: 'for hook in $precmd_functions; do $hook; done',
  },
} as const;

/**
 * Runs `steps` in one `shell` session and returns, per step, the prompt line and the number of
 * berth starts its prompt caused.
 */
function drive(shell: keyof typeof shells, steps: Step[], cwd = repository) {
  const {args, load, hooks} = shells[shell];
  const script = [
    load,
    // A person's next prompt comes after the file-system clock moved past what they changed (a
    // prompt drawn within the same tick, a few ms, would ask berth once more): wait for a tick.
    `settle() { local n=0; : >| '${bin}/before'; until : >| '${bin}/after'; [[ '${bin}/after' -nt '${bin}/before' ]] || (( ++n > 100000 )); do :; done; }`,
    `prompt() { settle; echo prompt >> '${counter}'; ${hooks}; printf 'line:%s\\n' "$berth_prompt"; }`,
    // berth run by hand: not counted.
    `real_berth() { '${nodeBinary}' '${cliPath}' "$@" >/dev/null 2>&1 || echo "failed: berth $*"; }`,
    ...steps.map((step) => `${step.run}\nprompt`),
  ].join('\n');
  const output = execFileSync(shell, [...args, script], {
    cwd,
    env: cleanEnv({BERTH_CONFIG_DIR: configDir, PATH: `${bin}:${process.env.PATH}`}),
    encoding: 'utf8',
  });
  expect(output).not.toContain('failed:');
  const lines = output
    .split('\n')
    .filter((line) => line.startsWith('line:'))
    .map((line) => line.slice('line:'.length));
  // Starts after each prompt marker (the one before the first prompt is the snippet's --init).
  const starts = readFileSync(counter, 'utf8')
    .split('prompt\n')
    .slice(1)
    .map((chunk) => chunk.split('\n').filter((line) => line === 'start').length);
  return steps.map((step, index) => ({run: step.run, prompt: lines[index], starts: starts[index]}));
}

const unchanged = (prompt: string): Step => ({run: ':', prompt, starts: 0});

describe.each(['bash', 'zsh'] as const)('the prompt snippet in %s', (shell) => {
  it('shows the right stack after every change, and starts no berth while nothing changed', () => {
    const steps: Step[] = [
      {run: ':', prompt: 'default/gpu', starts: 1},
      unchanged('default/gpu'),
      unchanged('default/gpu'),
      {run: 'real_berth stack set cpu', prompt: 'default/cpu', starts: 1},
      unchanged('default/cpu'),
      {run: 'export BERTH_STACK=gpu', prompt: 'default/gpu (env)', starts: 1},
      unchanged('default/gpu (env)'),
      {run: 'unset BERTH_STACK', prompt: 'default/cpu', starts: 1},
      {run: `cd '${elsewhere}'`, prompt: 'default/default', starts: 1},
      unchanged('default/default'),
      {run: 'real_berth stack set gpu --global', prompt: 'default/gpu', starts: 1},
      unchanged('default/gpu'),
      {run: `cd '${repository}'`, prompt: 'default/cpu', starts: 1},
      // Edited by hand.
      {
        run: "printf 'active_stack: gpu\\n' > .berth/config.yaml",
        prompt: 'default/gpu',
        starts: 1,
      },
      unchanged('default/gpu'),
      // A nearer repository appears above the working directory's parent... and goes.
      {run: 'mkdir -p sub/deeper && cd sub/deeper', prompt: 'default/gpu', starts: 1},
      {
        run: "mkdir ../.berth && printf 'active_stack: cpu\\n' > ../.berth/config.yaml",
        prompt: 'default/cpu',
        starts: 1,
      },
      unchanged('default/cpu'),
      {run: 'rm -r ../.berth', prompt: 'default/gpu', starts: 1},
      // The stack this repository names is deleted: the profile's active one (global: gpu).
      {run: `cd '${repository}' && real_berth stack set cpu`, prompt: 'default/cpu', starts: 1},
      // (from another directory: berth won't delete the active stack of the one it runs in)
      {
        run: `(cd '${elsewhere}' && real_berth stack delete cpu -y)`,
        prompt: 'default/gpu',
        starts: 1,
      },
      unchanged('default/gpu'),
      // This repository's account.
      {run: 'real_berth token use work', prompt: 'default/gpu @octo-work', starts: 1},
      unchanged('default/gpu @octo-work'),
    ];
    expect(drive(shell, steps)).toEqual(steps);
  });

  it('sees a file replaced by a rename, even one older than its last look', () => {
    const tokens = path.join(configDir, 'tokens.json');
    const config = path.join(repository, '.berth/config.yaml');
    // An atomic write as berth's own: a temporary file, dated an hour ago here, renamed over.
    const writer = (file: string, text: string) =>
      `'${nodeBinary}' -e 'const f=require("fs");f.writeFileSync(process.argv[1]+".tmp",process.argv[2]);const t=new Date(Date.now()-3600000);f.utimesSync(process.argv[1]+".tmp",t,t);f.renameSync(process.argv[1]+".tmp",process.argv[1])' '${file}' '${text}'`;
    const steps: Step[] = [
      {run: 'real_berth token use work', prompt: 'default/gpu @octo-work', starts: 1},
      unchanged('default/gpu @octo-work'),
      {
        run: writer(
          tokens,
          JSON.stringify({version: 1, tokens: [tokenMetadata('work', 'octo-new')]}),
        ),
        prompt: 'default/gpu @octo-new',
        starts: 1,
      },
      unchanged('default/gpu @octo-new'),
      {
        run: writer(config, 'active_stack: cpu\ntokens:\n  github.com: work\n'),
        prompt: 'default/cpu @octo-new',
        starts: 1,
      },
      unchanged('default/cpu @octo-new'),
    ];
    expect(drive(shell, steps)).toEqual(steps);
  });

  it('asks berth on every prompt while the answer is an error, and shows nothing', () => {
    const steps: Step[] = [
      {run: 'export BERTH_STACK=gone', prompt: '', starts: 1},
      {run: ':', prompt: '', starts: 1},
      {run: 'export BERTH_STACK=cpu', prompt: 'default/cpu (env)', starts: 1},
      unchanged('default/cpu (env)'),
    ];
    expect(drive(shell, steps)).toEqual(steps);
  });
});

describe('the prompt snippet in an interactive shell', () => {
  it.each([
    ['bash', ['--noprofile', '--norc', '-i'], `PS1='\${berth_prompt:+[$berth_prompt] }ready> '`],
    [
      'zsh',
      ['-f', '-i'],
      `setopt PROMPT_SUBST; PROMPT='\${berth_prompt:+[$berth_prompt] }ready> '`,
    ],
  ])(
    '%s: PS1 shows the line, and a new one after `export BERTH_STACK`',
    async (shell, args, ps1) => {
      const session = spawnInPty(shell, args, {
        cwd: repository,
        env: {
          ...cleanEnv({BERTH_CONFIG_DIR: configDir, PATH: `${bin}:${process.env.PATH}`}),
          PS1: 'start> ',
          TERM: 'xterm-256color',
        },
      });
      try {
        await session.waitFor('start>');
        session.mark();
        await session.type(`eval "$(berth status --prompt --init ${shell})"; ${ps1}\r`);
        await session.waitFor('[default/gpu] ready>');
        session.mark();
        await session.type('export BERTH_STACK=cpu\r');
        await session.waitFor('[default/cpu (env)] ready>');
        session.mark();
        await session.type(`unset BERTH_STACK; cd '${elsewhere}'\r`);
        await session.waitFor('[default/default] ready>');
      } finally {
        session.kill();
      }
    },
  );
});

describe('berth status --prompt --init', () => {
  it('refuses a shell it has no snippet for, naming the ones it has', async () => {
    for (const args of [
      ['status', '--prompt', '--init', 'fish'],
      ['status', '--prompt', '--init=tcsh'],
    ]) {
      const result = await runBerth(args, {cwd: repository, env: {BERTH_CONFIG_DIR: configDir}});
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^Error: berth has a prompt snippet for bash and zsh, not "/);
    }
  });

  it('keeps `status --prompt` alone one line, without the inputs', async () => {
    const result = await runBerth(['status', '--prompt'], {
      cwd: repository,
      env: {BERTH_CONFIG_DIR: configDir},
    });
    expect(result.stdout).toBe('default/gpu\n');
  });
});
