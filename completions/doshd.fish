function __doshd_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __doshd_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __doshd_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __doshd_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __doshd_parse_tokens -S
    set -l unparsed_tokens (__doshd_tokens -pc)
    switch $unparsed_tokens[1]
    case 'doshd'
        __doshd_parse_subcommand 0 'listen=+' 'token-file=' 'allow-uid=+' 'allow-remote' 'log-level=' 'stdio' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __doshd_parse_subcommand -r 1 
        end
    end
end

function __doshd_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __doshd_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __doshd_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __doshd_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__doshd_tokens -p)
    if test -z "$(__doshd_tokens -t)"
        set -l index (count (__doshd_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'doshd' -f
complete -c 'doshd' -n '__doshd_should_offer_completions_for_flags_or_options "doshd"' -l 'listen' -d 'An address to listen on: unix:PATH, tcp:HOST:PORT or vsock:CID:PORT.' -rfka ''
complete -c 'doshd' -n '__doshd_should_offer_completions_for_flags_or_options "doshd" token-file' -l 'token-file' -d 'The shared secret for tcp and vsock (mode 0600).' -rF
complete -c 'doshd' -n '__doshd_should_offer_completions_for_flags_or_options "doshd"' -l 'allow-uid' -d 'Also accept unix connections from this user id.' -rfka ''
complete -c 'doshd' -n '__doshd_should_offer_completions_for_flags_or_options "doshd" allow-remote' -l 'allow-remote' -d 'Let tcp listen on a non-loopback address.'
complete -c 'doshd' -n '__doshd_should_offer_completions_for_flags_or_options "doshd" log-level' -l 'log-level' -d 'trace, debug, info, notice, warning, error or critical.' -rfka 'trace debug info notice warning error critical'
complete -c 'doshd' -n '__doshd_should_offer_completions_for_flags_or_options "doshd" stdio' -l 'stdio' -d 'Serve one shell over standard input and output (ssh, a serial port); no listener, no token. With --listen unix:PATH, serve each connection there as such a channel (a VM\'s chardev).'
complete -c 'doshd' -n '__doshd_should_offer_completions_for_flags_or_options "doshd" version' -l 'version' -d 'Print the version and exit.'
complete -c 'doshd' -n '__doshd_should_offer_completions_for_flags_or_options "doshd" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'doshd' -n '__doshd_should_offer_completions_for_positional "doshd" -eq 1' -fa 'help' -d 'Show subcommand help information.'
