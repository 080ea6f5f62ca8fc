// `berth completion bash|zsh|fish` prints a script that asks `berth __complete` for the
// candidates (commands, flags, and names from the store); `__complete` itself is answered by
// cli.tsx before commander loads (commands/complete.ts).
import {UsageError} from '../lib/errors.js';
import {describeCommand, runComplete} from './complete.js';
import type {RegisterCommands} from './context.js';

const scripts = {
  bash: `# berth completion for bash. Load it with:  source <(berth completion bash)
_berth() {
  local cur=\${COMP_WORDS[COMP_CWORD]} line
  local -a values=()
  while IFS= read -r line; do
    values+=("\${line%%$'\\t'*}")
  done < <(berth __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  COMPREPLY=()
  for line in "\${values[@]}"; do
    [[ $line == "$cur"* ]] && COMPREPLY+=("$line")
  done
  [[ \${#COMPREPLY[@]} -eq 1 && \${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
  return 0
}
complete -o default -F _berth berth
`,
  zsh: `#compdef berth
# berth completion for zsh. Load it with:  source <(berth completion zsh)   (after compinit)
_berth() {
  local line
  local -a candidates
  for line in "\${(@f)$(berth __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}"; do
    [[ -z $line ]] && continue
    candidates+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
  done
  _describe -t berth 'berth' candidates
}
if (( $+functions[compdef] )); then
  compdef _berth berth
else
  print -u2 'berth completion: run "autoload -Uz compinit && compinit" first.'
fi
`,
  fish: `# berth completion for fish. Load it with:  berth completion fish | source
function __berth_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l candidates (berth __complete $words[2..-1] 2>/dev/null)
    if set -q candidates[1]
        printf '%s\\n' $candidates
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -c berth -f -a '(__berth_complete)'
`,
} as const;

export const registerCompletionCommand: RegisterCommands = (program, ctx) => {
  program
    .command('completion')
    .description(
      'Print the shell completion script: `source <(berth completion bash)`, zsh likewise, `berth completion fish | source`.',
    )
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string) => {
      if (!(shell in scripts)) {
        throw new UsageError(`"${shell}" is not a shell berth completes for.`, {
          hint: 'Use bash, zsh or fish.',
        });
      }
      ctx.io.stdout.write(scripts[shell as keyof typeof scripts]);
    });

  // Reached through commander only when cli.tsx's fast path is bypassed (tests, `--help`).
  program
    .command('__complete', {hidden: true})
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[]) => {
      await runComplete(words);
    });

  // The build writes this to dist/completion-spec.json.
  program.command('__completion-spec', {hidden: true}).action(() => {
    ctx.io.stdout.write(`${JSON.stringify(describeCommand(program))}\n`);
  });
};
