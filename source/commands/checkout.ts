// What `berth status` and `berth repo detect` do, apart from commander: the program registers
// them (status.ts, repo.ts), and here.ts runs them without loading commander at all, since a
// person types them all day.
import {errorMessage} from '../lib/errors.js';
import type {CodeDetection} from '../models/code-reference.js';
import {accountText} from '../services/accounts.js';
import {getCodeReference, ignoreUntrackedFromEnv} from '../services/code-repositories/detect.js';
import {resolveContext} from '../services/context.js';
import {announce, type CommandContext} from './context.js';

/** `berth status`: the repository root, the active profile and stack, this directory's code. */
export async function showStatus(ctx: CommandContext): Promise<void> {
  // The checkout (one git process) is read while the context is: a failed context fails the
  // command, a checkout that can't be read is a warning.
  const resolving = resolveContext(ctx.deps);
  const reading = getCodeReference(ctx.deps, ctx.deps.cwd, {context: resolving}).then(
    (code) => ({code}),
    (error: unknown) => ({code: undefined, error}),
  );
  const context = await resolving;
  announce(ctx, context, {repository: true});
  const status = {
    repositoryRoot: context.repositoryRoot,
    profile: {name: context.profile.name, source: context.profileSource},
    stack: {name: context.stackName, source: context.stackSource},
  };
  // This directory's code reference: local only (git + the profile store), never fatal.
  const read = await reading;
  if ('error' in read)
    ctx.output.warn(`Can't read this directory's checkout: ${errorMessage(read.error)}`);
  const {code} = read;
  const detection = code?.detection ?? null;
  ctx.output.result(
    {...status, checkout: detection, codeReference: code?.codeReference ?? null},
    () => {
      ctx.output.line(`Repository: ${context.repositoryRoot ?? '(none)'}`);
      ctx.output.line(`Profile:    ${context.profile.name} (${context.profileSource})`);
      ctx.output.line(`Stack:      ${context.stackName} (${context.stackSource})`);
      if (detection?.gitRoot) {
        ctx.output.line(
          `Code:       ${detection.repository ?? '(no registered repository)'}${detection.remote ? ` via ${detection.remote}` : ''}`,
        );
        ctx.output.line(
          `Commit:     ${detection.commit ?? '(none)'}${detection.subdirectory ? ` in ${detection.subdirectory}/` : ''}`,
        );
        ctx.output.line(
          `Clean:      ${detection.clean ? 'yes' : 'no'}   Pushed: ${detection.pushed ? 'yes' : 'no'}`,
        );
        if (detection.reason) ctx.output.line(`Reference:  none (${detection.reason})`);
      } else ctx.output.line('Code:       not a git checkout');
    },
  );
}

/** `berth repo detect [path]`: which registered repository a checkout is, and its state. */
export async function detectCheckout(
  ctx: CommandContext,
  dir: string | undefined,
  flags: {ignoreUntracked?: boolean},
): Promise<void> {
  const ignoreUntracked = flags.ignoreUntracked === true || ignoreUntrackedFromEnv(ctx.deps.env);
  const result = await getCodeReference(ctx.deps, dir ?? '.', {ignoreUntracked});
  announce(ctx, result.context);
  ctx.output.result({...result.detection, account: result.account}, () => {
    printDetection(ctx, result.detection);
    if (result.account) ctx.output.line(`${'Account:'.padEnd(14)}${accountText(result.account)}`);
  });
}

export function printDetection(ctx: CommandContext, detection: CodeDetection, indent = ''): void {
  const rows: Array<[string, string]> = [
    ['Repository', detection.repository ?? '(none)'],
    ['Remote', detection.remote ?? '-'],
    ['Commit', detection.commit ?? '-'],
    ['Subdirectory', detection.subdirectory === null ? '-' : detection.subdirectory || '.'],
    ['Clean', detection.clean ? 'yes' : 'no'],
    ['Pushed', detection.pushed ? 'yes' : 'no'],
    ['Reason', detection.reason ?? '-'],
  ];
  for (const [label, value] of rows) ctx.output.line(`${indent}${`${label}:`.padEnd(14)}${value}`);
}
