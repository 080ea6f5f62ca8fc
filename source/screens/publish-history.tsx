// Home screen `b`: recent publishes of the active profile.
import {Box, Text, useInput} from 'ink';
import {useEffect, useState} from 'react';
import {ScreenFrame} from '../components/screen-frame.js';
import {useTheme} from '../hooks/use-theme.js';
import {errorMessage} from '../lib/errors.js';
import {resolveContext} from '../services/context.js';
import type {PluginScreenProps} from './registry.js';

type ModuleRecordLike = Record<string, unknown>;

export function PublishScreen({deps, onBack}: PluginScreenProps) {
  const theme = useTheme();
  const [state, setState] = useState<
    | {status: 'loading'}
    | {status: 'ready'; records: ModuleRecordLike[]}
    | {status: 'error'; message: string}
  >({
    status: 'loading',
  });
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const context = await resolveContext(deps);
        const store = await deps.openStore(context.profile);
        const records = await store.collection<ModuleRecordLike>('modules').list();
        if (live) setState({status: 'ready', records: recentFirst(records).slice(0, 15)});
      } catch (error) {
        if (live) setState({status: 'error', message: errorMessage(error)});
      }
    })();
    return () => {
      live = false;
    };
  }, [deps]);

  useInput((input, key) => {
    if (key.escape || input === 'q') onBack();
  });

  return (
    <ScreenFrame title="publish" hints={[{key: 'esc', label: 'back'}]}>
      {state.status === 'loading' && <Text dimColor>Reading published modules…</Text>}
      {state.status === 'error' && (
        <Text color={theme.tint('error')}>Could not read modules: {state.message}</Text>
      )}
      {state.status === 'ready' && state.records.length === 0 && (
        <Text>No modules published yet.</Text>
      )}
      {state.status === 'ready' &&
        state.records.map((record, index) => (
          <Text key={index} wrap="truncate">
            {describeModule(record)}
          </Text>
        ))}
      <Box marginTop={1}>
        <Text dimColor>To publish a code project, run `berth publish PATH` in its directory.</Text>
      </Box>
    </ScreenFrame>
  );
}

function field(record: ModuleRecordLike, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return undefined;
}

function recentFirst(records: ModuleRecordLike[]): ModuleRecordLike[] {
  const when = (record: ModuleRecordLike) =>
    field(record, 'updatedAt', 'publishedAt', 'createdAt') ?? '';
  return [...records].sort((a, b) => when(b).localeCompare(when(a)));
}

function describeModule(record: ModuleRecordLike): string {
  const name = field(record, 'slug', 'name') ?? '(unnamed)';
  const versions = Array.isArray(record.versions) ? (record.versions as ModuleRecordLike[]) : [];
  const latest = versions[versions.length - 1];
  const version =
    field(record, 'version', 'latestVersion') ??
    (latest ? field(latest, 'version', 'number') : undefined);
  const status =
    field(record, 'status', 'state') ?? (latest ? field(latest, 'status', 'state') : undefined);
  return [name, version ? `v${version}` : undefined, status].filter(Boolean).join('  ');
}
