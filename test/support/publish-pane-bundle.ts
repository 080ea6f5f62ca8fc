// Bundles TypeScript or JavaScript for a test with the same esbuild settings as the CLI, into
// node_modules/.cache so its external packages still resolve: the publish pane demo
// (test/support/publish-pane-demo.tsx), or any entry a test writes itself.
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {build, type BuildOptions} from 'esbuild';
import {repoRoot} from './cli.js';

/** Bundles `entry` (esbuild's entryPoints or stdin, and any plugins) to a file; returns its path. */
export async function bundleForTest(
  name: string,
  entry: Pick<BuildOptions, 'entryPoints' | 'stdin' | 'plugins'>,
): Promise<string> {
  const outdir = path.join(repoRoot, 'node_modules/.cache/berth-test');
  mkdirSync(outdir, {recursive: true});
  const outfile = path.join(outdir, `${name}-${process.pid}.mjs`);
  await build({
    ...entry,
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    jsx: 'automatic',
    logLevel: 'warning',
    define: {'process.env.NODE_ENV': '"production"'},
    alias: {'react-devtools-core': path.join(repoRoot, 'source/lib/stubs/react-devtools-core.js')},
    external: ['@napi-rs/keyring', 'dockerode', 'ssh2', 'cpu-features', 'pg-native', 'pg'],
    banner: {
      js: "import {createRequire as __demoRequire} from 'node:module'; const require = __demoRequire(import.meta.url);",
    },
  });
  return outfile;
}

export function bundlePublishPaneDemo(): Promise<string> {
  return bundleForTest('publish-pane-demo', {
    entryPoints: [path.join(repoRoot, 'test/support/publish-pane-demo.tsx')],
  });
}
