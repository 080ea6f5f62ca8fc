// Token management: the list, add (provider → API URL → masked token → live verification →
// stored), verify, rotate, and remove with confirmation. All work goes through the tokens
// service, as in the CLI.
import {Box, Text} from 'ink';
import {useScreenInput} from '../components/help-host.js';
import {TextField as TextInput} from '../components/text-field.js';
import {useCallback, useEffect, useReducer} from 'react';
import {ScreenFrame} from '../components/screen-frame.js';
import {keyHints, type KeyHint} from '../components/key-footer.js';
import {TokenTable} from '../components/token-table.js';
import {TokenVerification} from '../components/token-verification.js';
import type {Deps} from '../deps.js';
import {useTheme} from '../hooks/use-theme.js';
import {assertNever, describeError, errorText, FieldError, renderText} from '../lib/errors.js';
import {screenVocabulary} from './remedies.js';
import {defaultApiUrls, type TokenListEntry, type Verification} from '../models/token.js';
import {addToken, listTokens, removeToken, rotateToken, verifyToken} from '../services/tokens.js';

const providers = ['github', 'gitlab'] as const;
type Provider = (typeof providers)[number];

type Mode =
  | {kind: 'list'}
  | {kind: 'pickProvider'; index: number}
  | {kind: 'apiUrl'; provider: Provider; value: string}
  | {kind: 'secret'; provider: Provider; apiUrl: string; value: string; rotate?: string}
  | {kind: 'working'; label: string}
  | {kind: 'confirmRemove'; name: string}
  /** Removal refused because code repositories use the token: `f` removes it anyway. */
  | {kind: 'confirmForce'; name: string; text: string};

type State = {
  tokens: TokenListEntry[];
  loading: boolean;
  selected: number;
  mode: Mode;
  verification: Verification | undefined;
  flash: {tone: 'success' | 'error' | 'warning'; text: string} | undefined;
};

type Action =
  | {type: 'loaded'; tokens: TokenListEntry[]}
  | {type: 'move'; by: number}
  | {type: 'mode'; mode: Mode}
  | {type: 'verified'; verification: Verification}
  | {type: 'done'; flash: State['flash']; keepVerification?: boolean}
  | {type: 'flash'; flash: State['flash']};

function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'loaded':
      return {
        ...state,
        loading: false,
        tokens: action.tokens,
        selected: Math.min(state.selected, Math.max(action.tokens.length - 1, 0)),
      };
    case 'move':
      return {
        ...state,
        selected: Math.max(0, Math.min(state.tokens.length - 1, state.selected + action.by)),
      };
    case 'mode':
      return {
        ...state,
        mode: action.mode,
        flash: action.mode.kind === 'list' ? state.flash : undefined,
        verification: action.mode.kind === 'working' ? undefined : state.verification,
      };
    case 'verified':
      return {...state, verification: action.verification};
    case 'done':
      return {
        ...state,
        mode: {kind: 'list'},
        flash: action.flash,
        verification: action.keepVerification ? state.verification : undefined,
      };
    case 'flash':
      return {...state, flash: action.flash};
    default:
      return assertNever(action);
  }
}

export type TokensScreenProps = {deps: Deps; onBack: () => void};

export function TokensScreen({deps, onBack}: TokensScreenProps) {
  const theme = useTheme();
  const [state, dispatch] = useReducer(reducer, {
    tokens: [],
    loading: true,
    selected: 0,
    mode: {kind: 'list'},
    verification: undefined,
    flash: undefined,
  });
  const {mode} = state;
  const selected = state.tokens[state.selected];

  const reload = useCallback(async () => {
    const warnings: string[] = [];
    try {
      const tokens = await listTokens(deps, {
        onWarning: (text) => warnings.push(renderText(text, screenVocabulary)),
      });
      dispatch({type: 'loaded', tokens});
      if (warnings.length > 0)
        dispatch({type: 'flash', flash: {tone: 'warning', text: warnings.join(' ')}});
    } catch (error) {
      dispatch({type: 'loaded', tokens: []});
      dispatch({type: 'flash', flash: {tone: 'error', text: errorText(error, screenVocabulary)}});
    }
  }, [deps]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const run = useCallback(
    async (
      label: string,
      task: () => Promise<string>,
      keepVerification = false,
      /** What a failure becomes here: a mode to go on in, or the text to show. */
      failed: (error: unknown) => Mode | string = (error) => errorText(error, screenVocabulary),
    ) => {
      dispatch({type: 'mode', mode: {kind: 'working', label}});
      try {
        const text = await task();
        await reload();
        dispatch({type: 'done', flash: {tone: 'success', text}, keepVerification});
      } catch (error) {
        await reload();
        const next = failed(error);
        if (typeof next !== 'string') dispatch({type: 'mode', mode: next});
        else dispatch({type: 'done', flash: {tone: 'error', text: next}, keepVerification});
      }
    },
    [reload],
  );

  const hooks = {
    onVerified: (verification: Verification) => dispatch({type: 'verified', verification}),
  };

  useScreenInput(
    (input, key) => {
      if (mode.kind === 'list') {
        if (input === 'q' || key.escape) onBack();
        else if (key.upArrow || input === 'k') dispatch({type: 'move', by: -1});
        else if (key.downArrow || input === 'j') dispatch({type: 'move', by: 1});
        else if (input === 'a') dispatch({type: 'mode', mode: {kind: 'pickProvider', index: 0}});
        else if (input === 'v' && selected)
          void run(
            `Verifying ${selected.name}…`,
            async () => {
              const result = await verifyToken(deps, selected.name);
              dispatch({type: 'verified', verification: result.verification});
              return `Token '${selected.name}' works.`;
            },
            true,
          );
        else if (input === 'r' && selected) {
          if (selected.storage === 'env') {
            dispatch({
              type: 'flash',
              flash: {
                tone: 'warning',
                text: `'${selected.name}' comes from ${selected.envVar}; change the variable to rotate it.`,
              },
            });
          } else if (selected.provider !== 'registry') {
            dispatch({
              type: 'mode',
              mode: {
                kind: 'secret',
                provider: selected.provider,
                apiUrl: selected.apiUrl,
                value: '',
                rotate: selected.name,
              },
            });
          }
        } else if (input === 'd' && selected)
          dispatch({type: 'mode', mode: {kind: 'confirmRemove', name: selected.name}});
        return;
      }
      if (mode.kind === 'pickProvider') {
        if (key.escape) dispatch({type: 'mode', mode: {kind: 'list'}});
        else if (key.upArrow || key.downArrow)
          dispatch({
            type: 'mode',
            mode: {kind: 'pickProvider', index: (mode.index + 1) % providers.length},
          });
        else if (input === 'g' || input === 'l' || key.return) {
          const provider =
            input === 'g' ? 'github' : input === 'l' ? 'gitlab' : providers[mode.index]!;
          dispatch({
            type: 'mode',
            mode: {kind: 'apiUrl', provider, value: defaultApiUrls[provider]},
          });
        }
        return;
      }
      if (mode.kind === 'confirmRemove') {
        if (input === 'y') remove(mode.name, false);
        else if (input === 'n' || key.escape || key.return)
          dispatch({type: 'mode', mode: {kind: 'list'}});
        return;
      }
      if (mode.kind === 'confirmForce') {
        if (input === 'f') remove(mode.name, true);
        else if (input === 'n' || key.escape || key.return)
          dispatch({type: 'mode', mode: {kind: 'list'}});
        return;
      }
      if ((mode.kind === 'apiUrl' || mode.kind === 'secret') && key.escape)
        dispatch({type: 'mode', mode: {kind: 'list'}});
    },
    {isActive: mode.kind !== 'working'},
  );

  const remove = (name: string, force: boolean) =>
    void run(
      `Removing ${name}…`,
      async () => {
        await removeToken(deps, {name, force});
        return `Removed token '${name}'.`;
      },
      false,
      // The service names its `force` field; here it is the `f` key, offered right away.
      (error) =>
        error instanceof FieldError && error.field === 'force'
          ? {kind: 'confirmForce', name, text: describeError(error, screenVocabulary).message}
          : errorText(error, screenVocabulary),
    );

  const submitSecret = (secretMode: Extract<Mode, {kind: 'secret'}>) => {
    const secret = secretMode.value;
    if (secretMode.rotate) {
      const name = secretMode.rotate;
      void run(
        `Verifying the new secret for ${name}…`,
        async () => {
          await rotateToken(deps, {name, readSecret: async () => secret}, hooks);
          return `Rotated token '${name}'.`;
        },
        true,
      );
      return;
    }
    void run(
      `Verifying with ${secretMode.apiUrl}…`,
      async () => {
        const result = await addToken(
          deps,
          {
            provider: secretMode.provider,
            apiUrl: secretMode.apiUrl,
            readSecret: async () => secret,
            // As in setup: the same login's token for the same API replaces the stored one.
            replaceSameLogin: true,
          },
          hooks,
        );
        return `Stored token '${result.token.name}' in ${result.token.storage === 'file' ? result.backend : `the OS keychain (${result.backend})`}.`;
      },
      true,
      // The form has no name field: another login's token holds the name this one would get.
      (error) =>
        error instanceof FieldError && error.field === 'name'
          ? `${describeError(error, screenVocabulary).message} Remove that token first (d in the list), then add this one.`
          : errorText(error, screenVocabulary),
    );
  };

  const hints: KeyHint[] =
    mode.kind === 'list'
      ? [
          keyHints.move,
          {key: 'a', label: 'add'},
          {key: 'v', label: 'verify'},
          {key: 'r', label: 'rotate'},
          {key: 'd', label: 'remove'},
          keyHints.back,
        ]
      : mode.kind === 'confirmRemove'
        ? [
            {key: 'y', label: 'remove'},
            {key: 'n', label: 'keep'},
          ]
        : mode.kind === 'confirmForce'
          ? [
              {key: 'f', label: 'remove anyway'},
              {key: 'n', label: 'keep'},
            ]
          : mode.kind === 'working'
            ? []
            : [keyHints.enter('next'), {key: 'esc', label: 'cancel'}];

  return (
    <ScreenFrame title="tokens" hints={hints}>
      {state.loading ? (
        <Text dimColor>Loading tokens…</Text>
      ) : (
        <TokenTable tokens={state.tokens} selected={state.selected} />
      )}
      <Box flexDirection="column" marginTop={1}>
        {mode.kind === 'pickProvider' && (
          <Box flexDirection="column">
            <Text bold>Add a token for:</Text>
            {providers.map((provider, index) => (
              <Text key={provider} inverse={index === mode.index}>
                {index === mode.index ? '› ' : '  '}
                {provider} ({provider === 'github' ? 'g' : 'l'})
              </Text>
            ))}
          </Box>
        )}
        {mode.kind === 'apiUrl' && (
          <Box>
            <Text bold>{mode.provider === 'github' ? 'API URL' : 'Instance URL'}: </Text>
            <TextInput
              value={mode.value}
              onChange={(value) => dispatch({type: 'mode', mode: {...mode, value}})}
              onSubmit={(value) =>
                dispatch({
                  type: 'mode',
                  mode: {
                    kind: 'secret',
                    provider: mode.provider,
                    apiUrl: value.trim() || defaultApiUrls[mode.provider],
                    value: '',
                  },
                })
              }
            />
          </Box>
        )}
        {mode.kind === 'secret' && (
          <Box flexDirection="column">
            <Text dimColor>
              {mode.rotate
                ? `New secret for '${mode.rotate}'`
                : `${mode.provider} token for ${mode.apiUrl}`}{' '}
              (verified before it is stored)
            </Text>
            <Box>
              <Text bold>Token: </Text>
              <TextInput
                value={mode.value}
                mask="*"
                onChange={(value) => dispatch({type: 'mode', mode: {...mode, value}})}
                onSubmit={() =>
                  mode.value.trim()
                    ? submitSecret(mode)
                    : dispatch({
                        type: 'flash',
                        flash: {
                          tone: 'error',
                          text: 'The token is empty: paste it, then press enter.',
                        },
                      })
                }
              />
            </Box>
          </Box>
        )}
        {mode.kind === 'confirmRemove' && (
          <Text color={theme.tint('warning')}>
            Remove token '{mode.name}' from this machine? (y/N)
          </Text>
        )}
        {mode.kind === 'confirmForce' && (
          <Text color={theme.tint('warning')}>
            {mode.text} Remove those code repositories first (repositories screen), or press f to
            remove the token anyway.
          </Text>
        )}
        {mode.kind === 'working' && <Text dimColor>{mode.label}</Text>}
        {state.verification && <TokenVerification verification={state.verification} />}
        {state.flash && (
          <Text
            color={theme.tint(
              state.flash.tone === 'success'
                ? 'success'
                : state.flash.tone === 'error'
                  ? 'error'
                  : 'warning',
            )}
          >
            {state.flash.tone === 'error' ? '✗ ' : state.flash.tone === 'success' ? '✓ ' : '! '}
            {state.flash.text}
          </Text>
        )}
      </Box>
    </ScreenFrame>
  );
}

export default TokensScreen;
