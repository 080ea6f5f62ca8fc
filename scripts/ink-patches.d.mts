// Types for scripts/ink-patches.mjs (the build's plain JavaScript), for the test that checks it.
import type {Plugin} from 'esbuild';

export declare function patchInk(path: string, source: string): string;
export declare const inkPatches: Plugin;
export declare function inkPatchesFor(only?: RegExp): Plugin;
