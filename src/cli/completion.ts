/**
 * `audiofan completion bash|zsh|fish`: a completion script made from the option table and the command list,
 * so a new option completes without anyone editing a script. Preset ids complete from `audiofan presets`.
 */
import { AudiofanError } from '../errors.js';
import { COMMANDS, FLAG_ROWS } from '../run/man-page.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** Long and short flags, and whether each takes a value (and which kind: dir, file or preset ids). */
function flags(): { long: string; short?: string; value?: 'dir' | 'file' | 'presets' | 'text'; help: string }[] {
  return FLAG_ROWS().map(([, s]) => {
    const long = /--[a-z0-9-]+/.exec(s.flag!)![0];
    const short = /^-([a-zA-Z]),/.exec(s.flag!)?.[1];
    const arg = /<([^>]+)>/.exec(s.flag!)?.[1];
    const value = !arg
      ? undefined
      : arg === 'dir'
        ? 'dir'
        : arg === 'ids'
          ? 'presets'
          : arg === 'file' || arg === 'path'
            ? 'file'
            : 'text';
    return { long, ...(short ? { short } : {}), ...(value ? { value } : {}), help: s.help.replace(/`/g, '') };
  });
}

const bash = () => {
  const f = flags();
  const all = [...f.map((x) => x.long), ...f.flatMap((x) => (x.short ? [`-${x.short}`] : [])), '--help', '--version'];
  const of = (kind: string) =>
    f.filter((x) => x.value === kind).flatMap((x) => [x.long, ...(x.short ? [`-${x.short}`] : [])]);
  return `# audiofan bash completion: eval "$(audiofan completion bash)"
_audiofan() {
  local cur prev
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    ${of('presets').join('|')}) COMPREPLY=($(compgen -W "$(audiofan presets 2>/dev/null | cut -d' ' -f1)" -- "$cur")); return ;;
    ${of('dir').join('|')}) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    ${[...of('file'), ...of('text')].join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "${all.join(' ')}" -- "$cur"))
  elif [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${COMMANDS.map((c) => c.name).join(' ')}" -- "$cur") $(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _audiofan audiofan
`;
};

const q = (s: string) => s.replace(/'/g, "'\\''").replace(/[[\]:]/g, (c) => `\\${c}`);

const zsh = () => {
  const specs = flags().map((x) => {
    const action =
      x.value === 'dir'
        ? ':dir:_files -/'
        : x.value === 'presets'
          ? ':ids:_audiofan_presets'
          : x.value
            ? ':value:_files'
            : '';
    const names = x.short ? `'(-${x.short} ${x.long})'{-${x.short},${x.long}}` : `'${x.long}`;
    return x.short ? `    ${names}'[${q(x.help)}]${action}'` : `    ${names}[${q(x.help)}]${action}'`;
  });
  return `#compdef audiofan
# audiofan zsh completion: audiofan completion zsh > "\${fpath[1]}/_audiofan"
_audiofan_presets() { local -a ids; ids=(\${(f)"$(audiofan presets 2>/dev/null | cut -d' ' -f1)"}); _values -s , 'preset' $ids }
_audiofan() {
  _arguments -s \\
${specs.join(' \\\n')} \\
    '1: :((${COMMANDS.map((c) => `${c.name}\\:"${q(c.help)}"`).join(' ')}))' \\
    '*:source:_files'
}
_audiofan "$@"
`;
};

const fish = () =>
  [
    '# audiofan fish completion: audiofan completion fish > ~/.config/fish/completions/audiofan.fish',
    ...COMMANDS.map(
      (c) => `complete -c audiofan -n __fish_use_subcommand -a ${c.name} -d '${c.help.replace(/'/g, "\\'")}'`,
    ),
    ...flags().map((x) => {
      const value =
        x.value === 'presets'
          ? ' -x -a \'(audiofan presets 2>/dev/null | cut -d" " -f1)\''
          : x.value === 'dir'
            ? ' -r -a "(__fish_complete_directories)"'
            : x.value
              ? ' -r -F'
              : '';
      return `complete -c audiofan -l ${x.long.slice(2)}${x.short ? ` -s ${x.short}` : ''}${value} -d '${x.help.replace(/'/g, "\\'")}'`;
    }),
    "complete -c audiofan -n '__fish_seen_subcommand_from completion' -x -a 'bash zsh fish'",
    '',
  ].join('\n');

/** The script for a shell; E_USAGE naming the shells there are. */
export function completionScript(shell: string): string {
  if (shell === 'bash') return bash();
  if (shell === 'zsh') return zsh();
  if (shell === 'fish') return fish();
  throw new AudiofanError('E_USAGE', `completion: no script for "${shell}"; choose one of ${SHELLS.join(', ')}`);
}
