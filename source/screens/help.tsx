// `?` on any screen: that screen's keys, then the rule every screen follows (help-host.tsx).
import type {HelpSection} from '../components/help-host.js';
import type {ScreenId} from './navigation.js';
import {pluginScreenIds, pluginScreens} from './registry.js';

const switcherKeys = (what: string): HelpSection => ({
  title: `${what[0]!.toUpperCase()}${what.slice(1)}`,
  keys: [
    ['a-z 0-9 . - _', `filter the ${what} (q too)`],
    ['backspace', 'erase'],
    ['↑↓ pgup pgdn', 'move (opens on the current one)'],
    ['tab', 'apply here / globally (inside a berth repository)'],
    ['enter', 'switch'],
    ['esc', 'back to home'],
  ],
});

const help: Record<ScreenId, HelpSection[]> = {
  home: [
    {
      title: 'Home',
      keys: [
        ['s', 'switch stack'],
        ['p', 'switch profile'],
        ['-', 'previous stack (cd -)'],
        ['i', 'berth init here (outside a berth repository)'],
        ...pluginScreenIds.map((id): [string, string] => [
          pluginScreens[id].key,
          pluginScreens[id].help,
        ]),
        ['w', 'setup wizard'],
        ['q', 'quit'],
      ],
    },
  ],
  stacks: [switcherKeys('stacks')],
  profiles: [switcherKeys('profiles')],
  setup: [
    {
      title: 'Setup',
      keys: [
        ['enter', 'next step (each step is checked as you leave it)'],
        ['↑↓', 'move between choices'],
        ['tab', 'skip the token or repository step (where the footer says so)'],
        ['esc', 'previous step; on the first step, leave setup'],
        ['', 'nothing is written before you confirm the review'],
      ],
    },
  ],
  tokens: [
    {
      title: 'Tokens',
      keys: [
        ['↑↓', 'select a token'],
        ['a', 'add a token'],
        ['v', 'verify with the provider'],
        ['r', 'rotate (paste a new secret)'],
        ['d', 'remove'],
        ['esc', 'cancel a form, or back to home'],
      ],
    },
  ],
  repositories: [
    {
      title: 'Repositories',
      keys: [
        ['↑↓', 'select a repository'],
        ['enter', 'describe'],
        ['n', 'register a new one'],
        ['d', 'delete'],
        ['tab ↑↓ ←→', 'in the form: next field, choose'],
        ['esc', 'cancel a form, or back to home'],
      ],
    },
  ],
  publish: [
    {
      title: 'Publish',
      keys: [
        ['enter', 'publish the project shown (a new version, its log streams here)'],
        [
          'i',
          "choose the base image the build starts FROM (enter keeps it, ctrl+u clears, esc leaves it); the module's next publishes keep it",
        ],
        ['c', 'while it runs: cancel the publish'],
        ['s', "save a copy of the log (in berth's state directory)"],
        ['↑↓ pgup pgdn', 'scroll the log'],
        ['esc', 'once the publish is over: back (to the project after a failure)'],
      ],
    },
  ],
  modules: [
    {
      title: 'Modules',
      keys: [
        ['↑↓', 'select a version (newest first)'],
        ['enter', 'open it: state, image, digest, code, parameters, runs'],
        ['enter', 'on a log (publish or run): open it whole'],
        ['r', "on a published version: run it with its parameters' defaults"],
        ['/ n N', 'in a log: search, next, previous match'],
        ['g G', 'in a log: top, end'],
        ['esc', 'back'],
      ],
    },
  ],
};

export function helpFor(screen: ScreenId): {title: string; sections: HelpSection[]} {
  return {title: pluginScreenTitle(screen), sections: help[screen]};
}

function pluginScreenTitle(screen: ScreenId): string {
  return screen in pluginScreens
    ? pluginScreens[screen as keyof typeof pluginScreens].title.toLowerCase()
    : screen;
}
