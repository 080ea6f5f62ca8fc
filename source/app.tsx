// The TUI root: providers, the screen switch and the one exit site. Screens report what the
// user asked for (open, back, done, quit); only this component ends the app.
import {Box, Text, useApp, useInput, type Instance} from 'ink';
import {
  Component,
  lazy,
  Suspense,
  useCallback,
  useMemo,
  useReducer,
  type ComponentType,
  type ReactNode,
} from 'react';
import type {Deps} from './deps.js';
import {DepsContext} from './hooks/use-deps.js';
import {useActiveContext} from './hooks/use-active-context.js';
import {useCodeReference} from './hooks/use-code-reference.js';
import {createTheme, ThemeContext, useTheme} from './hooks/use-theme.js';
import {errorText, ExitCode} from './lib/errors.js';
import {screenVocabulary} from './screens/remedies.js';
import type {ActiveContext} from './services/context.js';
import {initRepository} from './services/profiles.js';
import {setActiveStack, type SetStackResult} from './services/stacks.js';
import {HelpHost, useScreenInput} from './components/help-host.js';
import {renderTui} from './components/key-input.js';
import {keyHints} from './components/key-footer.js';
import {ScreenFrame} from './components/screen-frame.js';
import {helpFor} from './screens/help.js';
import {HomeScreen, type HomeCommand} from './screens/home.js';
import {
  currentScreen,
  initialNavigation,
  navigationReducer,
  type ScreenId,
} from './screens/navigation.js';
import {ProfileSwitcher, type ProfileSwitchResult} from './screens/profile-switcher.js';
import {
  isPluginScreen,
  pluginScreens,
  type PluginScreenId,
  type PluginScreenProps,
} from './screens/registry.js';
import {SetupWizardScreen} from './screens/setup-wizard.js';
import {StackSwitcher} from './screens/stack-switcher.js';

export type AppProps = {
  deps: Deps;
  /** Resolved before Ink loaded (tui.tsx), so the first Ink frame shows home at once. */
  initialContext?: ActiveContext;
  initialScreen: ScreenId;
  /** `berth setup`: the app is the wizard alone, and ends with it. */
  setupOnly: boolean;
  color: boolean;
};

export function App({deps, color, ...props}: AppProps) {
  const theme = useMemo(() => createTheme(color), [color]);
  return (
    <DepsContext.Provider value={deps}>
      <ThemeContext.Provider value={theme}>
        <Shell deps={deps} {...props} />
      </ThemeContext.Provider>
    </DepsContext.Provider>
  );
}

/** Mounts the app; Ctrl+C is a key like any other here (the app handles it and exits 130). */
export function mountApp(props: AppProps): Instance {
  return renderTui(<App {...props} />, {
    exitOnCtrlC: false,
    // Leading-edge throttle: a keystroke after a pause is drawn at once; bursts are coalesced.
    maxFps: 60,
  });
}

function Shell({deps, initialScreen, setupOnly, initialContext}: Omit<AppProps, 'color'>) {
  const {exit} = useApp();
  const [navigation, navigate] = useReducer(navigationReducer, initialScreen, initialNavigation);
  const screen = currentScreen(navigation);
  // The wizard must not resolve the context: on a first run that writes the global config.
  const wizardOnly = setupOnly || (screen === 'setup' && navigation.trail.length === 1);
  const active = useActiveContext(deps, !wizardOnly, initialContext);
  const code = useCodeReference(deps, active.state.version, !wizardOnly);

  const quit = useCallback((code: number) => exit(code), [exit]);

  // Ctrl+C reaches us as a key (raw mode); Ink restores the terminal as it unmounts.
  useInput((input, key) => {
    if (key.ctrl && input === 'c') quit(ExitCode.cancelled);
  });

  const back = useCallback(() => navigate({type: 'back'}), []);
  const onStackApplied = useCallback(
    (result: SetStackResult) => {
      active.dispatch({type: 'stackSwitched', name: result.name, scope: result.scope});
      navigate({type: 'back'});
      void active.reload();
    },
    [active],
  );
  const onProfileApplied = useCallback(
    (result: ProfileSwitchResult) => {
      active.dispatch({type: 'profileSwitched', name: result.profile.name, scope: result.scope});
      navigate({type: 'back'});
      void active.reload();
    },
    [active],
  );

  const onHomeCommand = useCallback(
    (command: HomeCommand) => {
      switch (command.type) {
        case 'quit':
          return quit(ExitCode.ok);
        case 'open':
          // A flash belongs to the screen it was shown on.
          active.dispatch({type: 'flash', flash: undefined});
          return navigate({type: 'open', screen: command.screen});
        case 'previousStack':
          return void active.run(async () => {
            const result = await setActiveStack(deps, {name: '-'});
            return {type: 'stackSwitched', name: result.name, scope: result.scope};
          });
        case 'init':
          return void active.run(async () => {
            const result = await initRepository(deps, deps.cwd);
            return {
              type: 'flash',
              flash: {tone: 'success', text: `Initialized a berth repository at ${result.root}.`},
            };
          });
      }
    },
    [active, deps, quit],
  );

  const onSetupFinish = useCallback(
    (failed?: ExitCode) => {
      if (setupOnly) return quit(failed ?? ExitCode.ok);
      navigate({type: 'reset', screen: 'home'});
      void active.reload();
    },
    [active, quit, setupOnly],
  );
  // `berth setup` ends with the error, reported as a command's; in the app, home shows it.
  const onSetupError = useCallback(
    (error: unknown) => {
      if (setupOnly) return exit(error instanceof Error ? error : new Error(String(error)));
      navigate({type: 'reset', screen: 'home'});
      active.dispatch({
        type: 'flash',
        flash: {tone: 'error', text: errorText(error, screenVocabulary)},
      });
    },
    [active, exit, setupOnly],
  );
  const onSetupCancel = useCallback(() => {
    if (setupOnly) return quit(ExitCode.cancelled);
    navigate(navigation.trail.length > 1 ? {type: 'back'} : {type: 'reset', screen: 'home'});
  }, [navigation.trail.length, quit, setupOnly]);

  const help = helpFor(screen);
  return (
    <HelpHost key={screen} title={help.title} sections={help.sections}>
      {renderScreen()}
    </HelpHost>
  );

  function renderScreen() {
    switch (screen) {
      case 'home':
        return <HomeScreen state={active.state} code={code} isActive onCommand={onHomeCommand} />;
      case 'stacks':
        return <StackSwitcher deps={deps} isActive onApplied={onStackApplied} onClose={back} />;
      case 'profiles':
        return <ProfileSwitcher deps={deps} isActive onApplied={onProfileApplied} onClose={back} />;
      case 'setup':
        return (
          <SetupWizardScreen
            deps={deps}
            isActive
            onFinish={onSetupFinish}
            onCancel={onSetupCancel}
            onError={onSetupError}
          />
        );
      default:
        if (isPluginScreen(screen))
          return <PluginScreenHost id={screen} deps={deps} onBack={back} />;
        return null;
    }
  }
}

const lazyScreens = new Map<PluginScreenId, ComponentType<PluginScreenProps>>();

function lazyScreen(id: PluginScreenId): ComponentType<PluginScreenProps> {
  let screen = lazyScreens.get(id);
  if (!screen) {
    screen = lazy(pluginScreens[id].load);
    lazyScreens.set(id, screen);
  }
  return screen;
}

function PluginScreenHost({
  id,
  deps,
  onBack,
}: {
  id: PluginScreenId;
  deps: Deps;
  onBack: () => void;
}) {
  const Screen = lazyScreen(id);
  const title = pluginScreens[id].title;
  return (
    <ScreenErrorBoundary
      fallback={(message) => (
        <ScreenFailed title={title} onBack={onBack} text={`${title} failed: ${message}`} />
      )}
    >
      <Suspense fallback={<Text dimColor>Loading {title.toLowerCase()}…</Text>}>
        <Screen deps={deps} onBack={onBack} />
      </Suspense>
    </ScreenErrorBoundary>
  );
}

/** A plugged-in screen that failed to load or render: what happened, and esc back home. */
function ScreenFailed({title, text, onBack}: {title: string; text: string; onBack: () => void}) {
  const theme = useTheme();
  useScreenInput((input, key) => {
    if (key.escape || input === 'q') onBack();
  });
  return (
    <ScreenFrame title={title.toLowerCase()} hints={[keyHints.back]}>
      <Box>
        <Text color={theme.tint('warning')} wrap="wrap">
          {text}
        </Text>
      </Box>
    </ScreenFrame>
  );
}

class ScreenErrorBoundary extends Component<
  {fallback: (message: string) => ReactNode; children: ReactNode},
  {error: Error | undefined}
> {
  override state: {error: Error | undefined} = {error: undefined};

  static getDerivedStateFromError(error: Error) {
    return {error};
  }

  override render() {
    return this.state.error ? this.props.fallback(this.state.error.message) : this.props.children;
  }
}
