// The leak checks themselves must be able to fail: they find a secret where it is.
import {spawn} from 'node:child_process';
import {mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {tempDir} from '../support/cli.js';
import {filesContaining, processArgumentsContaining} from '../support/token-leaks.js';
import {waitFor} from '../support/wait.js';

it('finds a secret in a nested file and in a running process argument', async () => {
  const dir = tempDir('berth-leak-');
  const secret = `leak-check-${process.pid}-${Date.now()}`;
  mkdirSync(path.join(dir, 'nested'));
  writeFileSync(path.join(dir, 'plain.txt'), 'nothing here');
  writeFileSync(path.join(dir, 'nested', 'b.json'), `{"x": "${secret}"}`);
  // sh's $0: the secret sits in the process's arguments while `sleep` runs.
  const child = spawn('sh', ['-c', 'sleep 30', secret], {stdio: 'ignore'});
  try {
    expect(filesContaining(secret, [dir])).toEqual([path.join(dir, 'nested', 'b.json')]);
    await waitFor(() => processArgumentsContaining(secret).length > 0, {
      message: 'the process with the secret in argv',
    });
  } finally {
    child.kill();
    rmSync(dir, {recursive: true, force: true});
  }
});
