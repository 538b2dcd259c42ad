#compdef dosh

__dosh_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__dosh_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __dosh_complete "${completions[@]:0:-1}"
    fi
}

__dosh_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_dosh() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '-c[Run these commands and exit.]:COMMANDS:'
        '--host[The host to use\: local, none, unix\:PATH, tcp\:HOST\:PORT, vsock\:CID\:PORT, ssh\:\[USER@\]HOST\[\:PORT\], exec\:COMMAND or serial\:DEVICE.]:ADDR:'
        '*--ssh-option[An option for ssh with --host ssh\: (after those in DOSH_SSH).]:OPT:'
        '--token-file[The token file for tcp\: and vsock\: hosts (or DOSH_TOKEN_FILE).]:FILE:_files'
        '-i[Run interactively even when standard input is not a terminal.]'
        '-s[Read commands from standard input (the arguments become $1…).]'
        '--complete[Print the words Tab would offer at the end of LINE, one per line.]:LINE:'
        '*:ARG:_files'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        help)
            "_dosh_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_dosh_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _dosh ]]; then
    _dosh "${@}"
else
    compdef _dosh dosh
fi
