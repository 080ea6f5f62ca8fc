// Inverse video written directly: Ink's own `inverse` goes away with NO_COLOR, and a cursor or
// a search match must stay visible without colors. The text itself is made inert first (the
// Transform from components/inert-ink.tsx); only these two escapes are ours.
import {Transform} from 'ink';
import type {ReactNode} from 'react';

const inverseOn = '\u001b[7m';
const inverseOff = '\u001b[27m';
const toInverse = (text: string) => `${inverseOn}${text}${inverseOff}`;

export function Inverse({children}: {children: ReactNode}) {
  return <Transform transform={toInverse}>{children}</Transform>;
}
