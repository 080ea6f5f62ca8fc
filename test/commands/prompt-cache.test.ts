// The prompt snippet (`berth status --prompt --init bash|zsh|fish`) in real shells: each prompt
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

/**
 * How each shell loads the snippet and defines the test's helpers: `settle` (a person's next
 * prompt comes after the file-system clock moved past what they changed; a prompt drawn within
 * the same tick, a few ms, would ask berth once more), `prompt` (what the shell does before it
 * draws one, then the line shown) and `real_berth` (berth run by hand: not counted).
 */
const shells = {
  bash: {
    args: ['--noprofile', '--norc', '-c'],
    prelude: () => [
      'eval "$(berth status --prompt --init bash)"',
      `settle() { local n=0; : >| '${bin}/before'; until : >| '${bin}/after'; [[ '${bin}/after' -nt '${bin}/before' ]] || (( ++n > 100000 )); do :; done; }`,
      `prompt() { settle; echo prompt >> '${counter}'; eval "$PROMPT_COMMAND"; printf 'line:%s\\n' "$berth_prompt"; }`,
      `real_berth() { '${nodeBinary}' '${cliPath}' "$@" >/dev/null 2>&1 || echo "failed: berth $*"; }`,
    ],
  },
  zsh: {
    args: ['-f', '-c'],
    prelude: () => [
      'eval "$(berth status --prompt --init zsh)"',
      `settle() { local n=0; : >| '${bin}/before'; until : >| '${bin}/after'; [[ '${bin}/after' -nt '${bin}/before' ]] || (( ++n > 100000 )); do :; done; }`,
      `prompt() { settle; echo prompt >> '${counter}'; for hook in $precmd_functions; do $hook; done; printf 'line:%s\\n' "$berth_prompt"; }`,
      `real_berth() { '${nodeBinary}' '${cliPath}' "$@" >/dev/null 2>&1 || echo "failed: berth $*"; }`,
    ],
  },
  fish: {
    args: ['--no-config', '-c'],
    prelude: () => [
      'berth status --prompt --init fish | source',
      `function settle; set -l n 0; true >'${bin}/before'; while true; true >'${bin}/after'; test '${bin}/after' -nt '${bin}/before'; and break; set n (math $n + 1); test $n -gt 100000; and break; end; end`,
      `function prompt; settle; echo prompt >> '${counter}'; emit fish_prompt; printf 'line:%s\\n' "$berth_prompt"; end`,
      `function real_berth; '${nodeBinary}' '${cliPath}' $argv >/dev/null 2>&1; or echo "failed: berth $argv"; end`,
      'function unset; set -e $argv; end',
    ],
  },
} as const;

/**
 * Runs `steps` in one `shell` session and returns, per step, the prompt line and the number of
 * berth starts its prompt caused.
 */
function drive(shell: keyof typeof shells, steps: Step[], cwd = repository) {
  const {args, prelude} = shells[shell];
  const script = [...prelude(), ...steps.map((step) => `${step.run}\nprompt`)].join('\n');
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

const unchanged = (prompt: string): Step => ({run: 'true', prompt, starts: 0});

describe.each(['bash', 'zsh', 'fish'] as const)('the prompt snippet in %s', (shell) => {
  it('shows the right stack after every change, and starts no berth while nothing changed', () => {
    const steps: Step[] = [
      {run: 'true', prompt: 'default/gpu', starts: 1},
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
        run: `cd '${elsewhere}' && real_berth stack delete cpu -y && cd '${repository}'`,
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
      {run: 'true', prompt: '', starts: 1},
      {run: 'export BERTH_STACK=cpu', prompt: 'default/cpu (env)', starts: 1},
      unchanged('default/cpu (env)'),
    ];
    expect(drive(shell, steps)).toEqual(steps);
  });
});

describe('the prompt snippet in an interactive shell', () => {
  const interactive = {
    bash: {
      args: ['--noprofile', '--norc', '-i'],
      load: `eval "$(berth status --prompt --init bash)"; PS1='\${berth_prompt:+[$berth_prompt] }ready> '`,
      unset: 'unset BERTH_STACK',
    },
    zsh: {
      args: ['-f', '-i'],
      load: `eval "$(berth status --prompt --init zsh)"; setopt PROMPT_SUBST; PROMPT='\${berth_prompt:+[$berth_prompt] }ready> '`,
      unset: 'unset BERTH_STACK',
    },
    fish: {
      args: ['--no-config', '-i', '-C', `function fish_prompt; echo -n 'start> '; end`],
      load: `berth status --prompt --init fish | source; function fish_prompt; test -n "$berth_prompt"; and echo -n "[$berth_prompt] "; echo -n 'ready> '; end`,
      unset: 'set -e BERTH_STACK',
    },
  };

  it.each(['bash', 'zsh', 'fish'] as const)(
    '%s: the prompt shows the line, and a new one after `export BERTH_STACK`',
    async (shell) => {
      const {args, load, unset} = interactive[shell];
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
        await session.type(`${load}\r`);
        await session.waitFor('[default/gpu] ready>');
        session.mark();
        await session.type('export BERTH_STACK=cpu\r');
        await session.waitFor('[default/cpu (env)] ready>');
        session.mark();
        await session.type(`${unset}; cd '${elsewhere}'\r`);
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
      ['status', '--prompt', '--init', 'tcsh'],
      ['status', '--prompt', '--init=csh'],
    ]) {
      const result = await runBerth(args, {cwd: repository, env: {BERTH_CONFIG_DIR: configDir}});
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^Error: berth has a prompt snippet for bash, zsh and fish, not "/,
      );
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
