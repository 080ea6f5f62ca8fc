// NO_COLOR means no colors at all: every colored <Text> asks the theme, which answers
// `undefined` (Ink's default) when colors are off. Bold, dim and inverse are not colors.
import {createContext, useContext} from 'react';

export type Theme = {
  color: boolean;
  /** The color to pass to <Text color>, or undefined when colors are off. */
  tint(color: TintName): string | undefined;
};

export type TintName = 'accent' | 'success' | 'warning' | 'error' | 'muted';

const palette: Record<TintName, string> = {
  accent: 'cyan',
  success: 'green',
  warning: 'yellow',
  error: 'red',
  muted: 'gray',
};

export function createTheme(color: boolean): Theme {
  return {color, tint: (name) => (color ? palette[name] : undefined)};
}

export const ThemeContext = createContext<Theme>(createTheme(false));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
