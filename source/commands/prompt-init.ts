// `berth status --prompt --init bash|zsh|fish`: the prompt snippet. A prompt redraw must not start
// Node (~90 ms alone); the snippet keeps the last line and asks berth again only when the
// directory, a variable in `contextVariables` or one of the inputs berth named with the line
// (`--with-inputs`, services/context-inputs.ts) changed. It tests the inputs with shell builtins
// against a stamp it writes just before starting berth: no process on a redraw.
import {contextVariables} from '../services/context-inputs.js';

export const promptShells = ['bash', 'zsh', 'fish'] as const;
export type PromptShell = (typeof promptShells)[number];
type PosixShell = Exclude<PromptShell, 'fish'>;

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
/** fish's single quotes take \\ and \' as escapes. */
const quoteFish = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

const usage: Record<PosixShell, string> = {
  bash: `# Load it from ~/.bashrc, after anything that sets PROMPT_COMMAND (it adds itself there):
#   eval "$(berth status --prompt --init bash)"
# and show it in PS1, e.g.: PS1='\${berth_prompt:+[$berth_prompt] }\\w \\$ '`,
  zsh: `# Load it from ~/.zshrc:  eval "$(berth status --prompt --init zsh)"
# and show it, e.g.: setopt PROMPT_SUBST; PROMPT='\${berth_prompt:+[$berth_prompt] }%~ %# '`,
};

const changedComment = `# berth runs again only when the directory, a variable (${contextVariables.slice(0, 3).join(', ')}, ...)
# or a file it read (config.json, .berth/config.yaml, the profile's store) changed.`;

/** Runs the update before every prompt, once however often the snippet is loaded. */
const hook: Record<PosixShell, string> = {
  bash: `case "\${PROMPT_COMMAND[*]-}" in
  *__berth_prompt_update*) ;;
  *)
    if [[ $(declare -p PROMPT_COMMAND 2>/dev/null) == 'declare -a'* ]]; then
      PROMPT_COMMAND+=(__berth_prompt_update)
    else
      PROMPT_COMMAND="\${PROMPT_COMMAND:+$PROMPT_COMMAND$'\\n'}__berth_prompt_update"
    fi
    ;;
esac`,
  zsh: `(( \${precmd_functions[(Ie)__berth_prompt_update]} )) || precmd_functions+=(__berth_prompt_update)`,
};

/** zsh expands %-sequences in what PROMPT_SUBST substituted. */
const setLine: Record<PosixShell, string> = {
  bash: 'berth_prompt=$line',
  zsh: 'berth_prompt=${line//\\%/%%}',
};

export function promptInitScript(shell: PromptShell, stampDirectory: string): string {
  return shell === 'fish' ? fishScript(stampDirectory) : posixScript(shell, stampDirectory);
}

function posixScript(shell: PosixShell, stampDirectory: string): string {
  const key = ['"$PWD"', ...contextVariables.map((name) => `"\${${name}-}"`)].join(`$'\\n'`);
  return `# berth's prompt line (profile/stack, the account chosen here) in $berth_prompt, for ${shell}.
${usage[shell]}
${changedComment}
berth_prompt=
__berth_prompt_key=
__berth_prompt_inputs=()
__berth_prompt_stamps=${quote(stampDirectory)}

__berth_prompt_update() {
  local code=$? key=${key}
  if [[ $key != "$__berth_prompt_key" ]] || ! __berth_prompt_fresh; then
    __berth_prompt_refresh "$key"
  fi
  return $code
}

# Whether every input berth named is as it was when the stamp was written (builtins only).
__berth_prompt_fresh() {
  local stamp="$__berth_prompt_stamps/$$" input file
  [[ -f $stamp ]] || return 1
  for input in "\${__berth_prompt_inputs[@]}"; do
    file=\${input#? }
    case $input in
      d\\ *) [[ -d $file && $file -ot $stamp ]] || return 1 ;;
      f\\ *) [[ -e $file && $file -ot $stamp ]] || return 1 ;;
      o\\ *) [[ ! -e $file || $file -ot $stamp ]] || return 1 ;;
      n\\ *) [[ ! -d $file ]] || return 1 ;;
      *) return 1 ;;
    esac
  done
  return 0
}

# Asks berth; the stamp is written first, so a change made while berth reads looks newer.
__berth_prompt_refresh() {
  local stamp="$__berth_prompt_stamps/$$" output line
  __berth_prompt_key=
  __berth_prompt_inputs=()
  { echo $$ >| "$stamp"; } 2>/dev/null || stamp=
  output=$(command berth status --prompt --with-inputs 2>/dev/null)
  line=\${output%%$'\\n'*}
  ${setLine[shell]}
  # A whole answer ends with a line '.'; without one (an error, a team store) berth runs again.
  [[ -n $stamp && $output == *$'\\n.' ]] || return 0
  while IFS= read -r line; do
    [[ $line == . ]] || __berth_prompt_inputs+=("$line")
  done <<< "\${output#*$'\\n'}"
  __berth_prompt_key=$1
}

${hook[shell]}
`;
}

/** The same for fish (3.1 or later): its \`test\`, \`string\` and \`set\` are builtins. */
function fishScript(stampDirectory: string): string {
  const key = ['"$PWD"', ...contextVariables.map((name) => `"$${name}"`)].join('\\n');
  return `# berth's prompt line (profile/stack, the account chosen here) in $berth_prompt, for fish.
# Load it from ~/.config/fish/config.fish:  berth status --prompt --init fish | source
# and show it, e.g.: function fish_prompt; test -n "$berth_prompt"; and echo -n "[$berth_prompt] "; echo -n (prompt_pwd)'> '; end
${changedComment}
set -g berth_prompt ''
set -g __berth_prompt_key ''
set -g __berth_prompt_inputs
set -g __berth_prompt_stamps ${quoteFish(stampDirectory)}

function __berth_prompt_update --on-event fish_prompt
    set -l key ${key}
    if test "$key" != "$__berth_prompt_key"; or not __berth_prompt_fresh
        __berth_prompt_refresh "$key"
    end
end

# Whether every input berth named is as it was when the stamp was written (builtins only).
function __berth_prompt_fresh
    set -l stamp $__berth_prompt_stamps/$fish_pid
    test -f $stamp; or return 1
    for input in $__berth_prompt_inputs
        set -l file (string sub -s 3 -- $input)
        switch $input
            case 'd *'
                test -d $file; and test $file -ot $stamp; or return 1
            case 'f *'
                test -e $file; and test $file -ot $stamp; or return 1
            case 'o *'
                not test -e $file; or test $file -ot $stamp; or return 1
            case 'n *'
                not test -d $file; or return 1
            case '*'
                return 1
        end
    end
    return 0
end

# Asks berth; the stamp is written first, so a change made while berth reads looks newer.
function __berth_prompt_refresh
    set -l stamp $__berth_prompt_stamps/$fish_pid
    set -g __berth_prompt_key ''
    set -g __berth_prompt_inputs
    begin
        echo $fish_pid >$stamp
    end 2>/dev/null; or set stamp ''
    set -l output (command berth status --prompt --with-inputs 2>/dev/null)
    set -g berth_prompt "$output[1]"
    # A whole answer ends with a line '.'; without one (an error, a team store) berth runs again.
    test -n "$stamp"; and test (count $output) -gt 2; and test "$output[-1]" = .; or return 0
    set -g __berth_prompt_inputs $output[2..-2]
    set -g __berth_prompt_key $argv[1]
end
`;
}
