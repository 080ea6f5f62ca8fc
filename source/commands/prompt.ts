// `berth status --prompt`: one short line for a shell prompt — profile/stack, where they came
// from when a variable or flag chose them, and the account chosen for this directory. Answered
// by cli.tsx before commander loads; no git, no network, no keychain. Silent on errors (a
// prompt must not print a stack trace on every Enter): nothing on stdout, exit 1.
import {createDeps} from '../deps.js';
import {inert} from '../lib/inert.js';
import {resolveContext, type ActiveContext} from '../services/context.js';
import type {Deps} from '../deps.js';
import {extractGlobalFlags} from './global-flags.js';

/** `default/gpu`, `team/gpu (env)`, `default/gpu @octo-work`. */
export function promptLine(deps: Deps, context: ActiveContext): string {
  const chosen = [context.profileSource, context.stackSource].find(
    (source) => source === 'flag' || source === 'env',
  );
  const tokens = {...context.profile.tokens, ...context.repositoryConfig.tokens};
  const accounts = Object.values(tokens).map(
    (name) => `@${deps.tokenStore.get(name)?.login ?? name}`,
  );
  return [
    `${context.profile.name}/${context.stackName}${chosen ? ` (${chosen})` : ''}`,
    ...new Set(accounts),
  ].join(' ');
}

export async function runPrompt(argv: readonly string[]): Promise<number> {
  let deps: Deps | undefined;
  try {
    const flags = extractGlobalFlags(argv);
    deps = createDeps({overrides: {profile: flags.profile, stack: flags.stack}});
    const line = promptLine(deps, await resolveContext(deps));
    process.stdout.write(`${inert(line)}\n`);
    return 0;
  } catch {
    return 1;
  } finally {
    await deps?.close().catch(() => undefined);
  }
}
