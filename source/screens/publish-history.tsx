// Home screen `b`: recent publishes of the active profile, read through the modules service
// (the same views as `berth module list`), newest first.
import {Box, Text} from 'ink';
import {useScreenInput} from '../components/help-host.js';
import {useEffect, useState} from 'react';
import {keyHints} from '../components/key-footer.js';
import {ScreenFrame} from '../components/screen-frame.js';
import {newestFirst} from '../hooks/use-home-summary.js';
import {useTheme} from '../hooks/use-theme.js';
import {errorText} from '../lib/errors.js';
import type {ModuleView} from '../services/modules.js';
import {ago, StatusText} from './home.js';
import type {PluginScreenProps} from './registry.js';

/** How many versions the screen lists. */
export const historyLimit = 15;

export function PublishScreen({deps, onBack}: PluginScreenProps) {
  const theme = useTheme();
  const [state, setState] = useState<
    | {status: 'loading'}
    | {status: 'ready'; modules: ModuleView[]}
    | {status: 'error'; message: string}
  >({status: 'loading'});
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const {listModules} = await import('../services/modules.js');
        const {modules} = await listModules(deps);
        const recent = newestFirst(modules, (module) => module.createdAt, historyLimit);
        if (live) setState({status: 'ready', modules: recent});
      } catch (error) {
        if (live) setState({status: 'error', message: errorText(error)});
      }
    })();
    return () => {
      live = false;
    };
  }, [deps]);

  useScreenInput((input, key) => {
    if (key.escape || input === 'q') onBack();
  });

  return (
    <ScreenFrame title="publish" hints={[keyHints.back]}>
      {state.status === 'loading' && <Text dimColor>Reading published modules…</Text>}
      {state.status === 'error' && (
        <Text color={theme.tint('error')}>Could not read modules: {state.message}</Text>
      )}
      {state.status === 'ready' && state.modules.length === 0 && (
        <Text>No modules published yet.</Text>
      )}
      {state.status === 'ready' &&
        state.modules.map((module) => (
          <Text key={`${module.slug}@${module.version}`} wrap="truncate-end">
            <Text bold>
              {module.slug}@{module.version}
            </Text>{' '}
            <StatusText status={module.displayStatus} />
            <Text dimColor>
              {' '}
              · {module.stack} · {ago(module.createdAt)}
              {module.error ? ` · ${module.error}` : ''}
            </Text>
          </Text>
        ))}
      <Box marginTop={1}>
        <Text dimColor>To publish a code project, run `berth publish PATH` in its directory.</Text>
      </Box>
    </ScreenFrame>
  );
}
