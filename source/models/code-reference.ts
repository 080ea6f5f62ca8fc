import {z} from 'zod';

/**
 * What a run or a publish records about the code it used (the seed's "code reference"): only
 * for a clean checkout of a registered repository, so the commit really is the code that ran.
 */
export const codeReferenceSchema = z.object({
  repositoryId: z.string(),
  /** Full 40- (or 64-) hex-digit SHA. */
  commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
  /** POSIX path of the source root relative to the git root; '' at the root. */
  subdirectory: z.string(),
  clean: z.boolean(),
  /** Whether the commit is on a remote of the repository, so it can be downloaded. */
  pushed: z.boolean(),
  /**
   * `sha256:…` of the code snapshot applied on top of `commit` (uncommitted or unpushed work), or
   * null when the commit alone is the code. Absent on records written before snapshots.
   */
  snapshot: z.string().nullable().optional(),
});
export type CodeReference = z.infer<typeof codeReferenceSchema>;

/**
 * `berth repo detect --json`. The first seven names are the CLI contract; the rest is extra.
 * `reason` says why there is no (usable) reference: not a checkout, no match, dirty, unpushed.
 */
export const codeDetectionSchema = z.object({
  repository: z.string().nullable(),
  /** `origin=https://github.com/o/r.git`, credentials masked; the remote that matched. */
  remote: z.string().nullable(),
  commit: z.string().nullable(),
  subdirectory: z.string().nullable(),
  clean: z.boolean(),
  pushed: z.boolean(),
  reason: z.string().nullable(),
  repositoryId: z.string().nullable(),
  gitRoot: z.string().nullable(),
  /** Every remote of the checkout (`name=url`, masked), matched or not. */
  remotes: z.array(z.string()),
  /** The reference a run or publish would record; null when the checkout is dirty or unmatched. */
  codeReference: codeReferenceSchema.nullable(),
});
export type CodeDetection = z.infer<typeof codeDetectionSchema>;

/** A registered repository as the matcher sees it (custom repositories have no location). */
export type RepositoryCandidate = {id: string; name: string; host: string; path: string};
