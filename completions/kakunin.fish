# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kakunin_global_optspecs
    string join \n h/help V/version
end

function __fish_kakunin_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kakunin_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kakunin_using_subcommand
    set -l cmd (__fish_kakunin_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kakunin -n "__fish_kakunin_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kakunin -n "__fish_kakunin_needs_command" -s V -l version -d 'Print version'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "completions" -d 'Print shell completions for kakunin to stdout'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "man" -d 'Print kakunin\'s manual page (roff) to stdout, or write one page per command into a directory'
complete -c kakunin -n "__fish_kakunin_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kakunin -n "__fish_kakunin_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kakunin -n "__fish_kakunin_using_subcommand man" -l out-dir -d 'Write kakunin.1 and one kakunin-<command>.1 per command into this directory' -r -F
complete -c kakunin -n "__fish_kakunin_using_subcommand man" -s h -l help -d 'Print help'
complete -c kakunin -n "__fish_kakunin_using_subcommand man" -s V -l version -d 'Print version'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from completions man help" -f -a "completions" -d 'Print shell completions for kakunin to stdout'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from completions man help" -f -a "man" -d 'Print kakunin\'s manual page (roff) to stdout, or write one page per command into a directory'
complete -c kakunin -n "__fish_kakunin_using_subcommand help; and not __fish_seen_subcommand_from completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
