// Runs once per `vitest run`. Kept cheap: services start lazily in the test files that use them.
import {chmodSync, existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {cliPath} from './cli.js';
import {reapOrphans} from './services/common.js';

/** This run's temporary folders live under one root, removed when the run ends. */
let runRoot: string | undefined;

export function setup(): void {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} is missing. Run \`npm run build\` (\`npm test\` builds first).`);
  }
  // Registries and keychains left behind by workers that were killed in an earlier run.
  reapOrphans();
  // Every folder a test makes (tempDir, os.tmpdir()) goes under this run's own root: the workers
  // start after this and inherit TMPDIR. A run used to leave about 950 folders (0.7 GB) in /tmp.
  // Open to every user as /tmp is: some servers run as their own user (PostgreSQL).
  runRoot = mkdtempSync(path.join(tmpdir(), 'berth-tests-'));
  chmodSync(runRoot, 0o1777);
  process.env.TMPDIR = runRoot;
}

export function teardown(): void {
  // Daemons of this run's workers that died without stopping them. The shared Docker engine
  // stays up on purpose: the next run reuses it, and .ci/run stops it.
  reapOrphans();
  if (runRoot) {
    try {
      rmSync(runRoot, {recursive: true, force: true, maxRetries: 3});
    } catch (error) {
      // A mount still held by a daemon that outlived its test: the rest is gone; say what stayed.
      console.warn(`Could not remove all of ${runRoot}: ${(error as Error).message}`);
    }
  }
}
