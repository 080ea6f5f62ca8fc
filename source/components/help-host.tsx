// One key grammar for every screen: `?` opens the current screen's help, which scrolls and
// closes with `?`, Esc or q. The screen under it stays mounted (a wizard keeps its answers) but
// hidden, and its keys are off: screens read keys through useScreenInput, which the host turns
// off while help shows. Where the user types (a focused text field, a search line), `?` is a
// character: such widgets call useTextEntry(true) and the host leaves `?` to them.
import {Box, Text, useInput, useWindowSize, type Key} from 'ink';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import {useTheme} from '../hooks/use-theme.js';
import {KeyInputContext} from './key-input.js';
import {keyHints, type KeyHint} from './key-footer.js';
import {ScreenFrame} from './screen-frame.js';

export type HelpSection = {title: string; keys: readonly (readonly [string, string])[]};

/** The rule every screen follows, shown at the end of every help. */
export const keyGrammar: HelpSection = {
  title: 'Everywhere',
  keys: [
    ['?', 'this help (where you type, ? is a character)'],
    ['esc', 'back one step or screen'],
    ['q', 'back, like esc; on home it quits'],
    ['', 'where you type (filters, fields) q is a letter: use esc'],
    ['ctrl+c', 'quit at once (a running publish is cancelled)'],
  ],
};

type Host = {
  /** False while help covers the screen: its keys are off. */
  active: boolean;
  claim(): () => void;
};

const HostContext = createContext<Host>({active: true, claim: () => () => {}});

/** False while the help covers the screen (for widgets from npm that take a focus flag). */
export function useScreenActive(): boolean {
  return useContext(HostContext).active;
}

/**
 * useInput for a screen: off while the help covers it. Keys come one keypress at a time even
 * when typed faster than berth reads them (components/key-input.tsx).
 */
export function useScreenInput(
  handler: (input: string, key: Key) => void,
  options: {isActive?: boolean} = {},
): void {
  const host = useContext(HostContext);
  useInput(handler, {isActive: host.active && (options.isActive ?? true)});
}

/**
 * A widget where the user types: while `typing`, `?` is text, not help, and text typed or
 * pasted in one burst arrives as one string (a token in one go), not key by key.
 */
export function useTextEntry(typing: boolean): void {
  const {claimText} = useContext(KeyInputContext);
  useOwnQuestionMark(typing);
  useEffect(() => (typing ? claimText() : undefined), [typing, claimText]);
}

/** While `owned`, `?` is the widget's own key (the publish pane's help), not the app's help. */
export function useOwnQuestionMark(owned: boolean): void {
  const {claim} = useContext(HostContext);
  useEffect(() => (owned ? claim() : undefined), [owned, claim]);
}

export function HelpHost({
  title,
  sections,
  children,
}: {
  /** The screen's title, e.g. `stacks`. */
  title: string;
  sections: readonly HelpSection[];
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const claims = useRef(0);
  const outer = useContext(HostContext);
  const claim = useCallback(() => {
    claims.current++;
    return () => {
      claims.current--;
    };
  }, []);
  const active = outer.active && !open;
  const host = useMemo(() => ({active, claim}), [active, claim]);
  useInput(
    (input) => {
      if (input === '?' && claims.current === 0) setOpen(true);
    },
    {isActive: active},
  );
  return (
    <HostContext.Provider value={host}>
      {open ? (
        <HelpView
          title={title}
          sections={[...sections, keyGrammar]}
          onClose={() => setOpen(false)}
        />
      ) : null}
      <Box display={open ? 'none' : 'flex'} flexDirection="column">
        {children}
      </Box>
    </HostContext.Provider>
  );
}

/** Help as rows of at most `width` columns (labels wrap under themselves), so it scrolls. */
export function helpRows(
  sections: readonly HelpSection[],
  width: number,
): {text: string; title?: boolean}[] {
  const rows: {text: string; title?: boolean}[] = [];
  const keyWidth = Math.max(
    ...sections.flatMap((section) => section.keys.map(([key]) => key.length)),
  );
  const labelWidth = Math.max(12, width - keyWidth - 2);
  for (const section of sections) {
    if (rows.length > 0) rows.push({text: ''});
    rows.push({text: section.title, title: true});
    for (const [key, label] of section.keys) {
      wrapWords(label, labelWidth).forEach((line, index) =>
        rows.push({text: `${(index === 0 ? key : '').padEnd(keyWidth + 2)}${line}`}),
      );
    }
  }
  return rows;
}

function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function HelpView({
  title,
  sections,
  onClose,
}: {
  title: string;
  sections: readonly HelpSection[];
  onClose: () => void;
}) {
  const theme = useTheme();
  const {rows: terminalRows, columns} = useWindowSize();
  // The frame's padding takes two columns.
  const rows = useMemo(() => helpRows(sections, columns - 2), [sections, columns]);
  // Title (2 rows), footer (2 rows, 3 when it wraps) and a free last row stay on the screen.
  const height = Math.max(3, terminalRows - 7);
  const [top, setTop] = useState(0);
  const maxTop = Math.max(0, rows.length - height);
  useInput((input, key) => {
    if (input === '?' || input === 'q' || key.escape) return onClose();
    if (key.upArrow || input === 'k') setTop((value) => Math.max(0, value - 1));
    if (key.downArrow || input === 'j') setTop((value) => Math.min(maxTop, value + 1));
    if (key.pageUp) setTop((value) => Math.max(0, value - height));
    if (key.pageDown || input === ' ') setTop((value) => Math.min(maxTop, value + height));
  });
  const shown = rows.slice(Math.min(top, maxTop), Math.min(top, maxTop) + height);
  const more = rows.length > height;
  const hints: KeyHint[] = [...(more ? [keyHints.scroll] : []), {key: 'esc', label: 'close help'}];
  return (
    <ScreenFrame title={`help · ${title}`} hints={hints} help={false}>
      <Box flexDirection="column">
        {shown.map((row, index) =>
          row.title ? (
            <Text key={index} bold wrap="truncate-end">
              {row.text}
            </Text>
          ) : (
            <Text key={index} wrap="truncate-end" color={undefined}>
              {row.text === '' ? ' ' : row.text}
            </Text>
          ),
        )}
        {more ? (
          <Text dimColor color={theme.tint('accent')}>
            {Math.min(top, maxTop) + shown.length < rows.length
              ? `↓ ${rows.length - Math.min(top, maxTop) - shown.length} more`
              : 'end of help'}
          </Text>
        ) : null}
      </Box>
    </ScreenFrame>
  );
}
