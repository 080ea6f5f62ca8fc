// `status` and `repo detect` skip commander only for the lines they fully understand; every
// other line (help, a typo, extra words) reaches the full program, which explains it.
import {describe, expect, it} from 'vitest';
import {hereAction} from '../../source/commands/here.js';
import {runBerth, tempDir} from '../support/cli.js';

describe('the commander-free path of status and repo detect', () => {
  it('takes exactly status and repo detect with global flags', () => {
    for (const line of [
      ['status'],
      ['status', '--json'],
      ['--stack', 'gpu', 'status', '--jq', '.stack'],
      ['status', '--json=profile,stack', '--no-color'],
      ['repo', 'detect'],
      ['repo', 'detect', 'sub/dir', '--ignore-untracked'],
      ['--profile=team', 'repo', 'detect', '--json'],
    ])
      expect(hereAction(line), line.join(' ')).toBeDefined();
  });

  it('leaves help, typos and extra words to the full program', () => {
    for (const line of [
      ['status', '--help'],
      ['status', 'extra'],
      ['status', '--json', 'profile'],
      ['status', '--stack'],
      ['repo', 'detect', '-h'],
      ['repo', 'detect', 'a', 'b'],
      ['repo', 'detect', '--bogus'],
      ['repo', 'list'],
      ['stack', 'describe', 'status'],
    ])
      expect(hereAction(line), line.join(' ')).toBeUndefined();
  });

  it('reports like the full program: an unknown flag is a usage error naming the command', async () => {
    const config = tempDir();
    const result = await runBerth(['repo', 'detect', '--bogus'], {
      env: {BERTH_CONFIG_DIR: config},
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'");
    expect(result.stderr).toContain('berth repo detect --help');
    const missing = await runBerth(['repo', 'detect', '/nonexistent-berth-dir'], {
      env: {BERTH_CONFIG_DIR: config},
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No directory /nonexistent-berth-dir.');
  });
});
