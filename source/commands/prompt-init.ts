// `berth status --prompt --init bash|zsh`: the prompt snippet. A prompt redraw must not start
// Node (~90 ms alone); the snippet keeps the last line and asks berth again only when the
// directory, a variable in `contextVariables` or one of the inputs berth named with the line
// (`--with-inputs`, services/context-inputs.ts) changed. It tests the inputs with shell builtins
// against a stamp it writes just before starting berth: no process on a redraw.
import {contextVariables} from '../services/context-inputs.js';

export const promptShells = ['bash', 'zsh'] as const;
export type PromptShell = (typeof promptShells)[number];

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

const usage: Record<PromptShell, string> = {
  bash: `# Load it from ~/.bashrc:  eval "$(berth status --prompt --init bash)"
# and show it in PS1, e.g.: PS1='\${berth_prompt:+[$berth_prompt] }\\w \\$ '`,
  zsh: `# Load it from ~/.zshrc:  eval "$(berth status --prompt --init zsh)"
# and show it, e.g.: setopt PROMPT_SUBST; PROMPT='\${berth_prompt:+[$berth_prompt] }%~ %# '`,
};

/** Runs the update before every prompt, once however often the snippet is loaded. */
const hook: Record<PromptShell, string> = {
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
const setLine: Record<PromptShell, string> = {
  bash: 'berth_prompt=$line',
  zsh: 'berth_prompt=${line//\\%/%%}',
};

export function promptInitScript(shell: PromptShell, stampDirectory: string): string {
  const key = ['"$PWD"', ...contextVariables.map((name) => `"\${${name}-}"`)].join(`$'\\n'`);
  return `# berth's prompt line (profile/stack, the account chosen here) in $berth_prompt, for ${shell}.
${usage[shell]}
# berth runs again only when the directory, a variable (${contextVariables.slice(0, 3).join(', ')}, ...)
# or a file it read (config.json, .berth/config.yaml, the profile's store) changed.
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
