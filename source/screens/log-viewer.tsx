// A full-screen viewer of one stored log (`berth logs SUBJECT` in a terminal). It pages from
// the log vault: only the visible rows (plus the reader's few cached chunks) are in memory, so
// a 1,000,000-line log opens, scrolls and searches like a 100-line one.
import {Box, Text, useWindowSize} from 'ink';
import {useScreenInput, useTextEntry} from '../components/help-host.js';
import {useCallback, useEffect, useRef, useState} from 'react';
import {KeyFooter, keyHints, type KeyHint} from '../components/key-footer.js';
import {LogPane, clampTop} from '../components/log-pane.js';
import {createTheme, ThemeContext, useTheme} from '../hooks/use-theme.js';
import {shouldUseColor} from '../lib/output.js';
import type {LogVaultReader} from '../services/log-vault.js';
import {renderTui} from '../components/key-input.js';

export type LogViewerOptions = {
  title: string;
  reader: LogVaultReader;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream | NodeJS.ReadableStream;
  env?: NodeJS.ProcessEnv;
};

type Window = {top: number; lines: string[]};

export function LogViewer({
  title,
  reader,
  onExit,
  exitHint = keyHints.quit,
}: {
  title: string;
  reader: LogVaultReader;
  onExit: () => void;
  /** `q quit` on its own (`berth logs`), `esc back` inside the TUI. */
  exitHint?: KeyHint;
}) {
  const theme = useTheme();
  const {columns, rows} = useWindowSize();
  // Title, status and footer (with its margin) take four rows; one more stays free so Ink never
  // scrolls the title off the top.
  const height = Math.max(3, rows - 5);
  const [top, setTop] = useState(0);
  const [window, setWindow] = useState<Window>({top: 0, lines: []});
  const [mode, setMode] = useState<'view' | 'search'>('view');
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState<number | undefined>(undefined);
  const [message, setMessage] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const total = reader.lineCount;
  const topRef = useRef(top);
  topRef.current = top;

  useEffect(() => {
    let live = true;
    void reader.lines(top, height).then(
      (lines) => live && setWindow({top, lines}),
      (error: unknown) => live && setMessage(String(error)),
    );
    return () => {
      live = false;
    };
  }, [reader, top, height]);

  const go = useCallback((next: number) => setTop(clampTop(next, total, height)), [total, height]);

  const find = useCallback(
    async (text: string, from: number, direction: 1 | -1) => {
      if (!text) return;
      setSearching(true);
      try {
        const found = await reader.find(text, from, direction);
        if (found === undefined) setMessage(`"${text}" is not in the log`);
        else {
          setCurrent(found);
          go(found - Math.floor(height / 3));
        }
      } catch (error) {
        setMessage(String(error));
      } finally {
        setSearching(false);
      }
    },
    [reader, go, height],
  );

  // In the TUI, `?` opens the app's help (a character while a search is typed).
  useTextEntry(mode === 'search');
  useScreenInput((input, key) => {
    if (mode === 'search') {
      if (key.escape) return setMode('view');
      if (key.return) {
        setMode('view');
        setQuery(draft);
        void find(draft, topRef.current, 1);
        return;
      }
      if (key.backspace || key.delete) return setDraft(draft.slice(0, -1));
      if (input && !key.ctrl && !key.meta) setDraft(draft + input);
      return;
    }
    if (message) setMessage(null);
    if (input === 'q' || key.escape || (key.ctrl && input === 'c')) return onExit();
    if (input === '/') {
      setDraft('');
      return setMode('search');
    }
    if (input === 'n' && query) return void find(query, (current ?? topRef.current) + 1, 1);
    if (input === 'N' && query) return void find(query, (current ?? topRef.current) - 1, -1);
    if (key.downArrow || input === 'j') return go(topRef.current + 1);
    if (key.upArrow || input === 'k') return go(topRef.current - 1);
    if (key.pageDown || input === ' ') return go(topRef.current + height);
    if (key.pageUp || input === 'b') return go(topRef.current - height);
    if (input === 'g') return go(0);
    if (input === 'G') return go(total);
  });

  // Until the page for `top` has loaded, the previous page stays on the screen.
  const view = window;
  const source = {
    length: total,
    get: (index: number) => view.lines[index - view.top],
  };
  const viewTop = view.lines.length === 0 ? top : view.top;
  const last = Math.min(total, viewTop + height);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {title} · lines {total === 0 ? 0 : viewTop + 1}–{last} of {total.toLocaleString('en-US')}
        {reader.complete ? '' : ' (still being written)'}
      </Text>
      <LogPane
        source={source}
        top={viewTop}
        height={height}
        width={columns}
        {...(query ? {query} : {})}
        {...(current !== undefined ? {current} : {})}
      />
      {mode === 'search' ? (
        <Text>/{draft}█</Text>
      ) : (
        <Text
          color={message ? theme.tint('warning') : undefined}
          dimColor={!message}
          wrap="truncate"
        >
          {searching ? `searching "${query}"…` : (message ?? (query ? `search: ${query}` : ' '))}
        </Text>
      )}
      <KeyFooter
        hints={[
          keyHints.scroll,
          {key: 'g G', label: 'top, end'},
          {key: '/', label: 'search'},
          {key: 'n N', label: 'next, previous'},
          exitHint,
        ]}
      />
    </Box>
  );
}

export async function runLogViewer(options: LogViewerOptions): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const color = shouldUseColor(options.env ?? process.env, undefined, Boolean(stdout.isTTY));
  let exit = () => {};
  const instance = renderTui(
    <ThemeContext.Provider value={createTheme(color)}>
      <LogViewer title={options.title} reader={options.reader} onExit={() => exit()} />
    </ThemeContext.Provider>,
    {
      stdout,
      stdin: (options.stdin ?? process.stdin) as NodeJS.ReadStream,
      exitOnCtrlC: false,
      patchConsole: false,
      interactive: Boolean(stdout.isTTY),
      // One frame per key, bounded by the screen: whole frames keep every row readable as
      // written (incremental frames rewrite only the changed end of each line).
      maxFps: 30,
    },
  );
  exit = () => instance.unmount();
  await instance.waitUntilExit().catch(() => undefined);
}
