import {fileURLToPath} from 'node:url';
import {defineConfig} from 'vitest/config';

// As in scripts/build.mjs: `ink` is components/inert-ink.tsx everywhere but in that file.
const inertInk = fileURLToPath(new URL('source/components/inert-ink.tsx', import.meta.url));

export default defineConfig({
  plugins: [
    {
      name: 'inert-ink',
      enforce: 'pre',
      resolveId: (source: string, importer: string | undefined) =>
        source === 'ink' && importer !== inertInk ? inertInk : undefined,
    },
  ],
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Ink components from npm go through the same alias.
    server: {deps: {inline: ['ink-select-input']}},
    reporters: ['default'],
  },
});
