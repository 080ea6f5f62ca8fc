// Bundles the publish pane demo (test/support/publish-pane-demo.tsx) with the same esbuild
// settings as the CLI, into node_modules/.cache so its external packages still resolve.
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {build} from 'esbuild';
import {repoRoot} from './cli.js';

export async function bundlePublishPaneDemo(): Promise<string> {
  const outdir = path.join(repoRoot, 'node_modules/.cache/berth-test');
  mkdirSync(outdir, {recursive: true});
  const outfile = path.join(outdir, `publish-pane-demo-${process.pid}.mjs`);
  await build({
    entryPoints: [path.join(repoRoot, 'test/support/publish-pane-demo.tsx')],
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
