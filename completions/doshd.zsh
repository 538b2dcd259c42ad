#compdef doshd

__doshd_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__doshd_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __doshd_complete "${completions[@]:0:-1}"
    fi
}

__doshd_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_doshd() {
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
    local -ar ___log_level=('trace' 'debug' 'info' 'notice' 'warning' 'error' 'critical')
    local -ar arg_specs=(
        '*--listen[An address to listen on\: unix\:PATH, tcp\:HOST\:PORT or vsock\:CID\:PORT.]:address:'
        '--token-file[The shared secret for tcp and vsock (mode 0600).]:file:_files'
        '*--allow-uid[Also accept unix connections from this user id.]:uid:'
        '--allow-remote[Let tcp listen on a non-loopback address.]'
        '--log-level[trace, debug, info, notice, warning, error or critical.]:level:{__doshd_complete "${___log_level[@]}"}'
        '--stdio[Serve one shell over standard input and output (ssh, a serial port); no listener, no token. With --listen unix\:PATH, serve each connection there as such a channel (a VM'\''s chardev).]'
        '--version[Print the version and exit.]'
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
            "_doshd_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_doshd_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _doshd ]]; then
    _doshd "${@}"
else
    compdef _doshd doshd
fi
