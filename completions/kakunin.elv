
use builtin;
use str;

set edit:completion:arg-completer[kakunin] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kakunin'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kakunin'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand completions 'Print shell completions for kakunin to stdout'
            cand man 'Print kakunin''s manual page (roff) to stdout, or write one page per command into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kakunin;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kakunin;man'= {
            cand --out-dir 'Write kakunin.1 and one kakunin-<command>.1 per command into this directory'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kakunin;help'= {
            cand completions 'Print shell completions for kakunin to stdout'
            cand man 'Print kakunin''s manual page (roff) to stdout, or write one page per command into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kakunin;help;completions'= {
        }
        &'kakunin;help;man'= {
        }
        &'kakunin;help;help'= {
        }
    ]
    $completions[$command]
}
