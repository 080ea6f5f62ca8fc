// Types for scripts/lezer-tables.mjs (the build's plain JavaScript), for the test that checks it.
import type {Plugin} from 'esbuild';

export declare function predecodeLezerTables(source: string): string;
export declare const lezerTables: Plugin;
