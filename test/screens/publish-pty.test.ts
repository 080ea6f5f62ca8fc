// The publish pane in a real pseudo-terminal, driven like a person: the real pane (bundled)
// fed by a scripted stand-in for the publish service (test/support/publish-pane-demo.tsx).
import {existsSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {nodeBinary, tempDir} from '../support/cli.js';
import {bundlePublishPaneDemo} from '../support/publish-pane-bundle.js';
import {keys, spawnInPty, stripAnsi} from '../support/pty.js';

let demo: string;
beforeAll(async () => {
  demo = await bundlePublishPaneDemo();
});
afterAll(() => rmSync(demo, {force: true}));

/** The demo pane in a pseudo-terminal, through the shared driver (test/support/pty.ts). */
function spawnDemo(mode: 'hold' | 'publish' | 'fail', cwd: string) {
  const logFile = path.join(cwd, 'publish.log');
  const session = spawnInPty(nodeBinary, [demo, mode, logFile], {
    cwd,
    cols: 80,
    rows: 24,
    env: {NO_COLOR: '1'},
  });
  return {
    logFile,
    get exit() {
      return session.exit;
    },
    get raw() {
      return session.output;
    },
    mark: () => session.mark(),
    seen: () => session.seen(),
    waitFor: (pattern: string | RegExp, timeoutMs = 15_000) => session.waitFor(pattern, timeoutMs),
    /** The log header is redrawn in pieces (incremental rendering): read it off the screen. */
    shows: (pattern: string | RegExp) => session.waitForScreen(pattern, 15_000),
    key: (data: string) => session.write(data),
    kill: () => session.kill(),
  };
}

describe('the publish pane in a terminal', () => {
  it('searches, toggles follow, saves the log, cancels and closes', async () => {
    const cwd = tempDir('berth-pane-');
    const pane = spawnDemo('hold', cwd);
    try {
      await pane.waitFor('still compiling');
      await pane.waitFor(/✓ 1\/4 FROM python:3\.12-slim\s+CACHED/);

      pane.mark();
      for (const char of '/needle-42') await pane.key(char);
      await pane.key(keys.enter);
      await pane.shows('"needle-42" 1 match');
      // The match is drawn in inverse video (not a color: it stays with NO_COLOR, set here).
      // eslint-disable-next-line no-control-regex -- terminal escapes are what it matches
      expect(pane.raw).toMatch(/\u001b\[7m(?:\u001b\[[0-9;]*m)*needle-42/);

      pane.mark();
      await pane.key('f');
      await pane.shows('following');
      pane.mark();
      await pane.key('f');
      await pane.shows(/lines \d+-\d+ of \d+/);

      pane.mark();
      await pane.key('s');
      // Beside the log file (berth passes its state directory), never the working directory.
      const saved = path.join(cwd, 'saved', 'berth-publish-demo-module-7.log');
      // Incremental rendering rewrites only what changed ("Saving…" → "Saved…"): wait for the path.
      await pane.waitFor(path.basename(saved));
      expect(readFileSync(saved, 'utf8')).toBe(
        readFileSync(pane.logFile, 'utf8').slice(0, readFileSync(saved, 'utf8').length),
      );
      expect(readFileSync(saved, 'utf8')).toContain('needle-42');

      pane.mark();
      await pane.key('c');
      await pane.waitFor('· Cancelled.');
      await pane.waitFor(/q close/);
      await pane.key('q');
      expect(await pane.exit).toBe(130);
      const text = stripAnsi(pane.raw);
      expect(text).toContain(`PANE-CLOSED outcome=cancelled cancelled=true saved=${saved}`);
      // The terminal is handed back with its cursor visible.
      expect(pane.raw.lastIndexOf('\u001b[?25h')).toBeGreaterThan(
        pane.raw.lastIndexOf('\u001b[?25l'),
      );
    } finally {
      pane.kill();
    }
  });

  it('Ctrl+C cancels a running publish and closes the pane', async () => {
    const cwd = tempDir('berth-pane-');
    const pane = spawnDemo('hold', cwd);
    try {
      await pane.waitFor('still compiling');
      await pane.key(keys.ctrlC);
      expect(await pane.exit).toBe(130);
      expect(stripAnsi(pane.raw)).toContain('PANE-CLOSED outcome=cancelled cancelled=true');
      expect(readFileSync(pane.logFile, 'utf8')).toContain('"state":"cancelled"');
    } finally {
      pane.kill();
    }
  });

  it('shows the failing step output, then the summary and chart of a successful publish', async () => {
    const cwd = tempDir('berth-pane-');
    const failed = spawnDemo('fail', cwd);
    try {
      await failed.waitFor('Step 4/4 failed: The command returned a non-zero code: 1');
      await failed.waitFor('SyntaxError: invalid syntax');
      await failed.key('q');
      expect(await failed.exit).toBe(1);
    } finally {
      failed.kill();
    }

    const published = spawnDemo('publish', cwd);
    try {
      await published.waitFor('127.0.0.1:5000/demo-module:7');
      await published.waitFor(/2 RUN pip install.*█+/);
      await published.key(keys.escape);
      expect(await published.exit).toBe(0);
      expect(existsSync(path.join(cwd, 'berth-publish-demo-module-7.log'))).toBe(false);
    } finally {
      published.kill();
    }
  });
});
