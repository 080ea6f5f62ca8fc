// Runs once per `vitest run`. Kept cheap: services start lazily in the test files that use them.
import {existsSync} from 'node:fs';
import {cliPath} from './cli.js';
import {reapOrphans} from './services/common.js';

export function setup(): void {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} is missing. Run \`npm run build\` (\`npm test\` builds first).`);
  }
  // Registries and keychains left behind by workers that were killed in an earlier run.
  reapOrphans();
}

export function teardown(): void {
  // Daemons of this run's workers that died without stopping them. The shared Docker engine
  // stays up on purpose: the next run reuses it, and .ci/run stops it.
  reapOrphans();
}
