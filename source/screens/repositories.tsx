// The repositories screen: list, describe (this directory's match, commit, clean/pushed),
// register (prefilled from this directory's remotes, token picker) and delete with a
// confirmation. Everything goes through services/code-repositories/, as the CLI does.
import {Box, Text} from 'ink';
import {useScreenInput} from '../components/help-host.js';
import {TextField as TextInput} from '../components/text-field.js';
import {useCallback, useEffect, useReducer} from 'react';
import {ScreenFrame} from '../components/screen-frame.js';
import {keyHints, type KeyHint} from '../components/key-footer.js';
import {useTheme} from '../hooks/use-theme.js';
import {assertNever, errorText, humanFieldLabel, type FieldLabel} from '../lib/errors.js';
import {screenVocabulary, screenVocabularyWith} from './remedies.js';
import type {CodeDetection} from '../models/code-reference.js';
import type {CodeRepositoryRecord} from '../models/code-repository.js';
import {forgeForHost, publicHosts, splitRepositoryPath} from '../services/forges.js';
import type {PluginScreenProps} from './registry.js';

type FormField = 'name' | 'type' | 'host' | 'path' | 'apiUrl' | 'token';
const formFields: FormField[] = ['name', 'type', 'host', 'path', 'apiUrl', 'token'];
type RepoForm = {
  name: string;
  type: 'github' | 'gitlab';
  host: string;
  path: string;
  apiUrl: string;
  token: string | null;
};

type Mode =
  | {kind: 'list'}
  | {kind: 'describe'}
  | {kind: 'register'; field: number; form: RepoForm}
  | {kind: 'confirmDelete'};

type State = {
  status: 'loading' | 'ready' | 'busy';
  repositories: CodeRepositoryRecord[];
  detection: CodeDetection | null;
  tokens: Array<{name: string; provider: string}>;
  selected: number;
  mode: Mode;
  message: string | null;
  error: string | null;
};

type Action =
  | {
      type: 'loaded';
      repositories: CodeRepositoryRecord[];
      detection: CodeDetection | null;
      tokens: State['tokens'];
    }
  | {type: 'failed'; message: string}
  | {type: 'move'; by: number}
  | {type: 'mode'; mode: Mode}
  | {type: 'busy'}
  | {type: 'done'; message: string};

function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'loaded':
      return {
        ...state,
        status: 'ready',
        repositories: action.repositories,
        detection: action.detection,
        tokens: action.tokens,
        selected: Math.min(state.selected, Math.max(action.repositories.length - 1, 0)),
      };
    case 'failed':
      return {...state, status: 'ready', error: action.message, message: null};
    case 'move': {
      const count = state.repositories.length;
      return count === 0
        ? state
        : {...state, selected: (state.selected + action.by + count) % count};
    }
    case 'mode':
      return {
        ...state,
        mode: action.mode,
        error: null,
        message: action.mode.kind === 'list' ? state.message : null,
      };
    case 'busy':
      return {...state, status: 'busy', error: null};
    case 'done':
      return {
        ...state,
        status: 'ready',
        mode: {kind: 'list'},
        message: action.message,
        error: null,
      };
    default:
      return assertNever(action);
  }
}

const initialState: State = {
  status: 'loading',
  repositories: [],
  detection: null,
  tokens: [],
  selected: 0,
  mode: {kind: 'list'},
  message: null,
  error: null,
};

/** A new registration prefilled from the checkout's main remote. */
function prefill(remote: {host: string; path: string} | undefined): RepoForm {
  const host = remote?.host ?? publicHosts.github;
  const repoPath = remote?.path ?? '';
  const type = forgeForHost(host);
  return {
    name: repoPath.split('/').pop() ?? '',
    type,
    host,
    path: repoPath,
    apiUrl: '',
    token: null,
  };
}

export function RepositoriesScreen({deps, onBack}: PluginScreenProps) {
  const theme = useTheme();
  const [state, dispatch] = useReducer(reducer, initialState);

  const load = useCallback(async () => {
    try {
      const [register, detect, tokensService] = await Promise.all([
        import('../services/code-repositories/register.js'),
        import('../services/code-repositories/detect.js'),
        import('../services/tokens.js'),
      ]);
      const [{repositories}, code, tokens] = await Promise.all([
        register.listRepositories(deps),
        detect.getCodeReference(deps, deps.cwd).catch(() => undefined),
        tokensService.listTokens(deps).catch(() => []),
      ]);
      dispatch({
        type: 'loaded',
        repositories,
        detection: code?.detection ?? null,
        tokens: tokens
          .filter((token) => token.provider !== 'registry')
          .map((token) => ({name: token.name, provider: token.provider})),
      });
    } catch (error) {
      dispatch({type: 'failed', message: errorText(error, screenVocabulary)});
    }
  }, [deps]);

  useEffect(() => {
    void load();
  }, [load]);

  const current = state.repositories[state.selected];

  const startRegister = useCallback(async () => {
    const {readRemotes, primaryRemote} = await import('../services/code-repositories/remotes.js');
    const checkout = await readRemotes(deps).catch(() => undefined);
    dispatch({
      type: 'mode',
      mode: {kind: 'register', field: 0, form: prefill(primaryRemote(checkout?.remotes))},
    });
  }, [deps]);

  const submit = useCallback(
    async (form: RepoForm) => {
      dispatch({type: 'busy'});
      try {
        const {registerRepository, renameNote} = await import(
          '../services/code-repositories/register.js'
        );
        const fields = splitRepositoryPath(form.type, form.path);
        const {repository, renamedFrom} = await registerRepository(deps, {
          name: form.name,
          type: form.type,
          host: form.host || undefined,
          token: form.token ?? undefined,
          ...(fields.forge === 'github'
            ? {owner: fields.owner, repository: fields.repository, apiUrl: form.apiUrl || undefined}
            : {
                group: fields.group,
                project: fields.project,
                instanceUrl: form.apiUrl || undefined,
              }),
        });
        dispatch({
          type: 'done',
          message: `Registered code repository '${form.name}'.${renamedFrom ? ` ${renameNote(renamedFrom, repository)}` : ''}`,
        });
        await load();
      } catch (error) {
        dispatch({type: 'failed', message: errorText(error, screenVocabularyWith(formLabel))});
      }
    },
    [deps, load],
  );

  const remove = useCallback(
    async (name: string) => {
      dispatch({type: 'busy'});
      try {
        const {deleteRepository} = await import('../services/code-repositories/register.js');
        await deleteRepository(deps, {name, confirm: async () => true});
        dispatch({type: 'done', message: `Deleted code repository '${name}'.`});
        await load();
      } catch (error) {
        dispatch({type: 'failed', message: errorText(error, screenVocabulary)});
      }
    },
    [deps, load],
  );

  const {mode} = state;
  useScreenInput(
    (input, key) => {
      if (state.status !== 'ready') return;
      switch (mode.kind) {
        case 'list':
          if (input === 'q' || key.escape) onBack();
          else if (key.upArrow || input === 'k') dispatch({type: 'move', by: -1});
          else if (key.downArrow || input === 'j') dispatch({type: 'move', by: 1});
          else if (key.return && current) dispatch({type: 'mode', mode: {kind: 'describe'}});
          else if (input === 'n') void startRegister();
          else if (input === 'd' && current)
            dispatch({type: 'mode', mode: {kind: 'confirmDelete'}});
          return;
        case 'describe':
          if (input === 'q' || key.escape) dispatch({type: 'mode', mode: {kind: 'list'}});
          else if (input === 'd') dispatch({type: 'mode', mode: {kind: 'confirmDelete'}});
          return;
        case 'confirmDelete':
          if (input === 'y' && current) void remove(current.name);
          else if (input === 'n' || key.escape || input === 'q')
            dispatch({type: 'mode', mode: {kind: 'list'}});
          return;
        case 'register': {
          const field = formFields[mode.field]!;
          if (key.escape) dispatch({type: 'mode', mode: {kind: 'list'}});
          else if (key.upArrow || (key.tab && key.shift))
            dispatch({
              type: 'mode',
              mode: {...mode, field: (mode.field + formFields.length - 1) % formFields.length},
            });
          else if (key.downArrow || key.tab)
            dispatch({type: 'mode', mode: {...mode, field: (mode.field + 1) % formFields.length}});
          else if (key.return) void submit(mode.form);
          else if ((key.leftArrow || key.rightArrow) && (field === 'type' || field === 'token')) {
            const step = key.rightArrow ? 1 : -1;
            if (field === 'type') {
              dispatch({
                type: 'mode',
                mode: {
                  ...mode,
                  form: {
                    ...mode.form,
                    type: mode.form.type === 'github' ? 'gitlab' : 'github',
                    token: null,
                  },
                },
              });
            } else {
              const choices = [
                null,
                ...state.tokens
                  .filter((token) => token.provider === mode.form.type)
                  .map((token) => token.name),
              ];
              const index = choices.indexOf(mode.form.token);
              const token = choices[(index + step + choices.length) % choices.length] ?? null;
              dispatch({type: 'mode', mode: {...mode, form: {...mode.form, token}}});
            }
          }
          return;
        }
        default:
          assertNever(mode);
      }
    },
    {isActive: true},
  );

  const hints: KeyHint[] =
    mode.kind === 'register'
      ? [
          {key: 'tab ↑↓', label: 'field'},
          {key: '←→', label: 'choose'},
          keyHints.enter('register'),
          {key: 'esc', label: 'cancel'},
        ]
      : mode.kind === 'confirmDelete'
        ? [
            {key: 'y', label: 'delete'},
            {key: 'n', label: 'keep'},
          ]
        : mode.kind === 'describe'
          ? [{key: 'd', label: 'delete'}, keyHints.back]
          : [
              keyHints.move,
              keyHints.enter('describe'),
              {key: 'n', label: 'register'},
              {key: 'd', label: 'delete'},
              keyHints.back,
            ];

  return (
    <ScreenFrame title="repositories" hints={hints}>
      {state.status === 'loading' ? <Text dimColor>Loading…</Text> : null}
      {mode.kind === 'list' && state.status !== 'loading' ? <RepoList state={state} /> : null}
      {mode.kind === 'describe' && current ? (
        <RepoDescribe repository={current} detection={state.detection} />
      ) : null}
      {mode.kind === 'confirmDelete' && current ? (
        <Text>
          Delete code repository <Text bold>{current.name}</Text>? Runs and modules keep their
          references. (y/n)
        </Text>
      ) : null}
      {mode.kind === 'register' ? (
        <RepoRegisterForm
          form={mode.form}
          field={formFields[mode.field]!}
          onChange={(field, value) =>
            dispatch({type: 'mode', mode: {...mode, form: {...mode.form, [field]: value}}})
          }
        />
      ) : null}
      {state.status === 'busy' ? <Text dimColor>Working… (checking with the provider)</Text> : null}
      {state.message ? <Text color={theme.tint('success')}>{state.message}</Text> : null}
      {state.error ? <Text color={theme.tint('error')}>{state.error}</Text> : null}
    </ScreenFrame>
  );
}

function RepoList({state}: {state: State}) {
  const theme = useTheme();
  const here = state.detection?.repository ?? null;
  if (state.repositories.length === 0) {
    return <Text dimColor>No code repositories yet. Press n to register one.</Text>;
  }
  return (
    <Box flexDirection="column">
      {state.repositories.map((repository, index) => (
        <Text key={repository.name} inverse={index === state.selected}>
          {index === state.selected ? '› ' : '  '}
          {repository.name.padEnd(20)} {repository.type.padEnd(7)}{' '}
          {(repository.type === 'custom'
            ? (repository.source ?? '')
            : `${repository.host}/${repository.path}`
          ).padEnd(40)}{' '}
          {repository.visibility ?? ''}
          {repository.name === here ? (
            <Text color={theme.tint('accent')}> ← this directory</Text>
          ) : null}
        </Text>
      ))}
    </Box>
  );
}

function RepoDescribe({
  repository,
  detection,
}: {
  repository: CodeRepositoryRecord;
  detection: CodeDetection | null;
}) {
  const match = detection?.repository === repository.name ? detection : null;
  const rows: Array<[string, string]> = [
    ['Name', repository.name],
    ['Type', repository.type],
    [
      'Location',
      repository.type === 'custom'
        ? (repository.source ?? '')
        : `${repository.host}/${repository.path}`,
    ],
    ['Token', repository.token ?? '(none)'],
    ['Visibility', repository.visibility ?? '-'],
    ['Default branch', repository.defaultBranch ?? '-'],
  ];
  return (
    <Box flexDirection="column">
      {rows.map(([label, value]) => (
        <Text key={label}>
          <Text dimColor>{label.padEnd(16)}</Text>
          {value}
        </Text>
      ))}
      <Box marginTop={1} flexDirection="column">
        {match ? (
          <>
            <Text>This directory: {match.remote}</Text>
            <Text>
              Commit {match.commit ?? '-'} {match.subdirectory ? `in ${match.subdirectory}/` : ''} ·
              clean {match.clean ? 'yes' : 'no'} · pushed {match.pushed ? 'yes' : 'no'}
            </Text>
            {match.reason ? <Text dimColor>No code reference: {match.reason}</Text> : null}
          </>
        ) : (
          <Text dimColor>This directory is not a checkout of {repository.name}.</Text>
        )}
      </Box>
    </Box>
  );
}

const fieldLabels: Record<FormField, string> = {
  name: 'Name',
  type: 'Type',
  host: 'Host',
  path: 'owner/repo',
  apiUrl: 'API/instance URL',
  token: 'Token',
};

/** The form field a service's field is typed in. */
const serviceFields: Record<string, FormField> = {
  owner: 'path',
  repository: 'path',
  group: 'path',
  project: 'path',
  path: 'path',
  apiUrl: 'apiUrl',
  instanceUrl: 'apiUrl',
  host: 'host',
  token: 'token',
  name: 'name',
  type: 'type',
};

/** Errors name the fields as this form labels them. */
const formLabel: FieldLabel = (field) => {
  const formField = serviceFields[field];
  return formField ? fieldLabels[formField] : humanFieldLabel(field);
};

function RepoRegisterForm({
  form,
  field,
  onChange,
}: {
  form: RepoForm;
  field: FormField;
  onChange: (field: FormField, value: string) => void;
}) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Text bold>Register a code repository</Text>
      {formFields.map((name) => {
        const focused = name === field;
        const label =
          name === 'path' && form.type === 'gitlab' ? 'group/project' : fieldLabels[name];
        let value: React.ReactNode;
        if (name === 'type') value = <Text>‹ {form.type} ›</Text>;
        else if (name === 'token') value = <Text>‹ {form.token ?? '(none)'} ›</Text>;
        else if (focused)
          value = <TextInput value={form[name]} onChange={(text) => onChange(name, text)} />;
        else
          value = <Text>{form[name] || (name === 'apiUrl' ? '(default for the host)' : '')}</Text>;
        return (
          <Box key={name}>
            <Text color={focused ? theme.tint('accent') : undefined}>
              {focused ? '› ' : '  '}
              {label.padEnd(18)}
            </Text>
            {value}
          </Box>
        );
      })}
    </Box>
  );
}
