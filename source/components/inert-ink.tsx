// What `import … from 'ink'` resolves to in berth (the build and the tests alias it here, see
// scripts/build.mjs and vitest.config.ts): Ink itself, except that Text and Transform make
// every string child inert (lib/inert.ts) before Ink lays it out. Screens, components and the
// Ink components from npm all reach the terminal through these two, so no screen can forget
// to sanitise a name, a login or a log line. A Transform's function is code, not data: its
// output is trusted (log-pane and the text field draw inverse video with it).
import {Children, createElement, Fragment, isValidElement, type ReactNode} from 'react';
import {Text as InkText, Transform as InkTransform, type TextProps, type TransformProps} from 'ink';
import {inert} from '../lib/inert.js';

export * from 'ink';

/** String children made inert, also inside fragments; elements (a nested Text) do their own. */
export function inertChildren(children: ReactNode): ReactNode {
  if (typeof children === 'string') return inert(children, {multiline: true});
  if (Array.isArray(children)) return Children.map(children, inertChildren);
  if (isValidElement<{children?: ReactNode}>(children) && children.type === Fragment)
    return createElement(Fragment, {key: children.key}, inertChildren(children.props.children));
  return children;
}

export function Text(props: TextProps) {
  return createElement(InkText, {
    ...props,
    'aria-label': props['aria-label'] === undefined ? undefined : inert(props['aria-label']),
    children: inertChildren(props.children),
  });
}

export function Transform(props: TransformProps) {
  return createElement(InkTransform, {
    ...props,
    accessibilityLabel:
      props.accessibilityLabel === undefined ? undefined : inert(props.accessibilityLabel),
    children: inertChildren(props.children),
  });
}
