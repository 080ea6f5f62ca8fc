// A run of a published module, stored in the profile's `runs` collection under its id.
import type {CodeReference} from './code-reference.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export type RunRecord = {
  id: string;
  /** The module's slug. */
  module: string;
  version: number;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  /** Parameters after conversion to their declared types. */
  parameters: Record<string, unknown>;
  image: string | null;
  digest: string | null;
  codeReference: CodeReference | null;
  orchestrator: {name: string; flavor: string};
  stack: string;
  exitCode: number | null;
  error: string | null;
  /** The sweep this run is part of (`berth run --sweep`); absent on runs recorded before sweeps. */
  sweep?: string | null;
  /** Where it ran: the swarm node's name (absent on older runs; null where not known). */
  node?: string | null;
};
