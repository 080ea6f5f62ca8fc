// Next steps as data. An error that says what to do next names an action here, and each front
// end says it in its own words: the CLI spells the command (commands/remedies.ts:
// `berth token add github --name work --replace`), the TUI names the screen and the key
// (screens/remedies.ts: "open Tokens (t), select work and press r"). Services, clients, the
// store and lib never write command text or flags (scripts/check-walls.mjs refuses it).

/** Something the user can do, with what is known of it; what is left out is a placeholder. */
export type Action =
  | {
      kind: 'token.add';
      provider?: string;
      name?: string;
      /** The name is taken: replace its secret. */
      replace?: boolean;
      apiUrl?: string;
      username?: string;
      /** The secret comes from standard input (a registry password). */
      stdin?: boolean;
    }
  | {kind: 'token.list'}
  | {kind: 'token.use'; name?: string; global?: boolean}
  | {kind: 'token.remove'; name: string}
  | {kind: 'token.status'}
  | {kind: 'stack.list'}
  | {kind: 'stack.describe'}
  | {kind: 'stack.set'; name?: string}
  | {kind: 'stack.delete'; name?: string}
  | {
      kind: 'stack.register';
      imageBuilder?: string;
      containerRegistry?: string;
      orchestrator?: string;
      /** Make it the active stack. */
      activate?: boolean;
    }
  | {kind: 'profile.list'}
  | {kind: 'profile.describe'}
  | {
      kind: 'profile.set';
      name?: string;
      global?: boolean;
      /** The config file to edit where no screen opens (the active profile itself is broken). */
      file?: string;
    }
  | {kind: 'profile.create'; storeUrl?: string}
  | {kind: 'repo.list'}
  | {kind: 'repo.register'}
  /** `token: true`: another token, not known yet. */
  | {kind: 'repo.update'; name?: string; token?: string | true}
  | {kind: 'repo.delete'; name: string}
  | {kind: 'repo.detect'}
  | {kind: 'component.list'; type: string}
  | {
      kind: 'component.register';
      type: string;
      name?: string;
      flavor?: string;
      options?: Record<string, string>;
    }
  | {kind: 'component.delete'; type: string; name: string}
  | {kind: 'module.list'}
  | {kind: 'publish'; full?: boolean; dryRun?: boolean}
  | {kind: 'run'; module?: string; sweep?: boolean}
  | {kind: 'runs.list'; json?: boolean}
  | {kind: 'runs.describe'}
  | {kind: 'init'; path?: string};

export type ActionKind = Action['kind'];

/** How a front end offers an action: a command on the CLI, a screen and key in the TUI. */
export type ActionLabel = (action: Action) => string;

/**
 * The action in plain words, for text no front end renders (an error's `.message` and `.hint`
 * strings, logs): what it does and with what, e.g. "token add (github, name work, replace)".
 */
export const plainAction: ActionLabel = (action) => {
  const {kind, ...rest} = action;
  const values = Object.entries(rest).map(([key, value]) =>
    value === true
      ? key
      : typeof value === 'object'
        ? Object.entries(value as Record<string, string>)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')
        : `${key} ${String(value)}`,
  );
  const words = kind.replace('.', ' ');
  return values.length > 0 ? `${words} (${values.join(', ')})` : words;
};
