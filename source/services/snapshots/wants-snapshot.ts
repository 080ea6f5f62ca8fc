// Whether a publish takes a snapshot, decided from the detection alone: a publish that takes
// none (outside git, a clean and pushed checkout) loads no snapshot code.
import type {CodeReference} from '../../models/code-reference.js';
import type {CodeRepositoryRecord} from '../../models/code-repository.js';

export type CheckoutForSnapshot = {
  commit: string | null;
  codeReference: CodeReference | null;
  repository: CodeRepositoryRecord | null;
  gitRoot: string | null;
  /** `name=url` of the remote that matched the repository. */
  remote: string | null;
  subdirectory: string | null;
  clean: boolean;
  pushed: boolean;
};

/** Whether a snapshot would make this checkout's code downloadable by a container. */
export function wantsSnapshot(code: CheckoutForSnapshot): boolean {
  return (
    code.repository !== null &&
    (code.repository.type === 'github' || code.repository.type === 'gitlab') &&
    code.commit !== null &&
    code.gitRoot !== null &&
    code.remote !== null &&
    (!code.clean || !code.pushed)
  );
}
