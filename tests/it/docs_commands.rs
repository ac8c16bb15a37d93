//! Every `kakunin` command line in the docs runs (issue 12): the lines starting with `kakunin`
//! (or `$ kakunin`) in the code blocks of `README.md` and `docs/*.md` are found here, not
//! listed, so a doc added or changed later is covered too.
//!
//! - A line with placeholders (`FILE`, `CHART@VERSION`, `[--staging]`, `A | B`, `$VAR`, `…`)
//!   is a synopsis: its subcommand must exist and every flag it names must be one that
//!   subcommand's `--help` lists.
//! - Any other line is run for real, from a fresh directory holding `fixtures/` (the repo's) and,
//!   for every file it names that `../shared/fixtures` has, that file; with no network (every
//!   proxy variable points at a closed loopback port, the cache is empty). Accepted outcomes:
//!   exit 0; exit 3 because something had to be fetched (an online command: its arguments were
//!   parsed and it ran up to the network); exit 2 naming a file the docs leave to the reader.
//!   Never a clap usage error, never 1 (a documented example that fails verification), never a
//!   signal or a hang.
//! - A `$ kakunin …` line followed by output in its block must print that output.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TempDir, repo};

/// One command line found in a doc.
#[derive(Debug, Clone)]
struct DocCommand {
    /// `docs/verify.md:12`
    place: String,
    /// The line as written (continuations joined), without `$ `.
    line: String,
    /// The output the doc shows under a `$ kakunin …` line, if any.
    shown_output: Option<Vec<String>>,
}

/// The markdown files whose commands are checked.
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .expect("docs/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The command lines of one markdown text: in fenced blocks (any indentation) and in indented
/// (4-space) code blocks.
fn commands_in(name: &str, text: &str) -> Vec<DocCommand> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let t = raw.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            let mark = &t[..3];
            match &fence {
                Some(m) if m == mark => fence = None,
                None => fence = Some(mark.to_string()),
                _ => {}
            }
            i += 1;
            continue;
        }
        let in_code = fence.is_some() || raw.starts_with("    ") || raw.starts_with('\t');
        let (prompt, body) = match t.strip_prefix("$ ") {
            Some(b) => (true, b.trim_start()),
            None => (false, t),
        };
        if !in_code || !(body.starts_with("kakunin ") || body == "kakunin") {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut line = body.trim_end().to_string();
        while line.ends_with('\\') && i + 1 < lines.len() {
            line.pop();
            i += 1;
            line.push(' ');
            line.push_str(lines[i].trim());
        }
        let mut shown_output = None;
        if prompt && fence.is_some() {
            let mut shown = Vec::new();
            let mut j = i + 1;
            while j < lines.len() {
                let l = lines[j].trim_start();
                if l.starts_with("```") || l.starts_with("~~~") || l.starts_with("$ ") {
                    break;
                }
                shown.push(lines[j].trim_end().to_string());
                j += 1;
            }
            if !shown.is_empty() {
                shown_output = Some(shown);
            }
            i = j - 1;
        }
        out.push(DocCommand {
            place: format!("{name}:{start}"),
            line,
            shown_output,
        });
        i += 1;
    }
    out
}

fn all_commands() -> Vec<DocCommand> {
    let mut all = Vec::new();
    for f in doc_files() {
        let text = std::fs::read_to_string(&f).expect("doc is UTF-8");
        let name = f.strip_prefix(repo()).unwrap_or(&f).display().to_string();
        all.extend(commands_in(&name, &text));
    }
    all
}

/// A word of a command line: its text and whether any of it was quoted.
#[derive(Debug, Clone, PartialEq)]
struct Word {
    text: String,
    quoted: bool,
}

/// Splits a shell line into words, up to the first redirection, pipe, `||`/`&&`/`;` or comment
/// (what follows is the shell's business, not kakunin's).
fn words(line: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut started = false;
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            Some(_) => cur.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    quoted = true;
                    started = true;
                }
                '\\' => {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                        started = true;
                    }
                }
                c if c.is_whitespace() => {
                    if started {
                        out.push(Word {
                            text: std::mem::take(&mut cur),
                            quoted,
                        });
                    }
                    quoted = false;
                    started = false;
                }
                '>' | '<' | '|' | ';' | '&'
                    if !started || cur.chars().all(|d| d.is_ascii_digit()) =>
                {
                    return out;
                }
                '#' if !started => return out,
                _ => {
                    cur.push(c);
                    started = true;
                }
            },
        }
    }
    if started {
        out.push(Word { text: cur, quoted });
    }
    out
}

/// Whether a word stands for something the reader fills in.
fn is_placeholder(w: &Word) -> bool {
    let t = w.text.as_str();
    if t.contains('$') || t.contains('…') || t.contains("...") {
        return true;
    }
    if w.quoted {
        return false;
    }
    if t.starts_with('[') || t.starts_with('(') || t == "|" || t.ends_with(']') || t.ends_with(')')
    {
        return true;
    }
    let value = match t.split_once('=') {
        Some((flag, v)) if flag.starts_with("--") => v,
        _ if t.starts_with('-') => return false,
        _ => t,
    };
    value.split(['@', '.', ':', '/', '=', ',']).any(|seg| {
        !seg.is_empty()
            && seg.starts_with(|c: char| c.is_ascii_uppercase())
            && seg
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    })
}

/// The subcommands `kakunin <path> --help` lists.
fn subcommands_of(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

fn help_of(path: &[String], cache: &mut HashMap<Vec<String>, String>) -> String {
    cache
        .entry(path.to_vec())
        .or_insert_with(|| {
            let out = crate::common::kakunin()
                .args(path)
                .arg("--help")
                .output()
                .expect("kakunin runs");
            assert!(out.status.success(), "kakunin {path:?} --help: {out:?}");
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
        .clone()
}

/// The subcommand path a command line names (`policy export`), and its help.
fn subcommand_path(
    args: &[Word],
    cache: &mut HashMap<Vec<String>, String>,
) -> (Vec<String>, String) {
    let mut path: Vec<String> = Vec::new();
    let mut help = help_of(&path, cache);
    for w in args {
        if subcommands_of(&help).contains(&w.text) && w.text != "help" {
            path.push(w.text.clone());
            help = help_of(&path, cache);
        } else {
            break;
        }
    }
    (path, help)
}

/// The flags a synopsis word names (`[--in-toto]` → `--in-toto`, `--key=PEM` → `--key`).
fn flags_named(w: &Word) -> Vec<String> {
    if w.quoted {
        return Vec::new();
    }
    w.text
        .split('|')
        .map(|p| p.trim_matches(|c| c == '[' || c == ']' || c == '(' || c == ')'))
        .filter(|p| p.starts_with('-') && p.len() > 1 && *p != "--")
        .map(|p| p.split('=').next().unwrap_or(p).to_string())
        .collect()
}

/// Whether `help` lists `flag` (as a whole word: `--key` is not `--key-file`).
fn help_lists(help: &str, flag: &str) -> bool {
    help.match_indices(flag).any(|(i, _)| {
        let before = help[..i].chars().next_back();
        let after = help[i + flag.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

/// The checks of a synopsis line; the problems found.
fn check_synopsis(
    cmd: &DocCommand,
    args: &[Word],
    cache: &mut HashMap<Vec<String>, String>,
) -> Vec<String> {
    let (path, help) = subcommand_path(args, cache);
    eprintln!(
        "{}: `{}`: synopsis of `kakunin {}`",
        cmd.place,
        cmd.line,
        path.join(" ")
    );
    let mut problems = Vec::new();
    if path.is_empty() && !args.iter().all(|w| w.text.starts_with('-')) {
        problems.push(format!(
            "{}: `{}`: no kakunin subcommand named {:?}",
            cmd.place, cmd.line, args[0].text
        ));
        return problems;
    }
    for w in &args[path.len()..] {
        for flag in flags_named(w) {
            if !help_lists(&help, &flag) {
                problems.push(format!(
                    "{}: `{}`: `kakunin {} --help` lists no {flag}",
                    cmd.place,
                    cmd.line,
                    path.join(" ")
                ));
            }
        }
    }
    problems
}

/// Every file under `dir`, sorted.
fn index_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            index_files(&p, into);
        } else {
            into.push(p);
        }
    }
}

/// The shared fixture a doc's relative path names: the first file whose path ends with it
/// (`gha_generic/v2.1.0/x.intoto.jsonl` picks that version's file, `x.sigstore` any).
fn shared_file<'a>(shared: &'a [PathBuf], rel: &Path) -> Option<&'a PathBuf> {
    shared.iter().find(|p| p.ends_with(rel))
}

/// The outcome of running one documented command.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

const RUN_LIMIT: Duration = Duration::from_secs(90);

fn run_offline(args: &[String], dir: &Path, closed_proxy: &str) -> Ran {
    let mut cmd = crate::common::kakunin();
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for v in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env(v, closed_proxy);
    }
    for v in [
        "NO_PROXY",
        "no_proxy",
        "DOCKER_CONFIG",
        "KAKUNIN_CACHE_DIR",
        "CLICOLOR_FORCE",
        "COSIGN_PASSWORD",
    ] {
        cmd.env_remove(v);
    }
    cmd.env("HOME", dir.join("home"))
        .env("XDG_CACHE_HOME", dir.join("home/.cache"))
        .env("XDG_CONFIG_HOME", dir.join("home/.config"))
        .env("NO_COLOR", "1");
    let child = cmd.spawn().expect("kakunin starts");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(RUN_LIMIT) {
        Ok(out) => {
            let out = out.expect("kakunin finishes");
            Ran {
                code: out.status.code(),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                timed_out: false,
            }
        }
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            Ran {
                code: None,
                stdout: String::new(),
                stderr: String::new(),
                timed_out: true,
            }
        }
    }
}

/// Whether kakunin's output says it stopped at the network (or at a file it could only have
/// downloaded).
fn stopped_at_network(text: &str) -> bool {
    [
        "Connection refused",
        "tunnel error",
        "error sending request",
        "is not in the kit or the cache",
        "could not be obtained",
    ]
    .iter()
    .any(|m| text.contains(m))
}

fn is_clap_error(ran: &Ran) -> bool {
    ran.code == Some(2)
        && (ran.stderr.contains("For more information, try '--help'")
            || ran.stderr.contains("\nUsage: "))
}

/// Runs one concrete command line; the problems found.
fn check_run(
    cmd: &DocCommand,
    args: &[Word],
    shared: &[PathBuf],
    closed_proxy: &str,
) -> Vec<String> {
    let tmp = TempDir::new("docs-command");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("home")).unwrap();
    std::os::unix::fs::symlink(repo().join("fixtures"), dir.join("fixtures")).unwrap();
    // Files the line names: from ../shared/fixtures when it has them; otherwise the reader's.
    let mut missing = Vec::new();
    for w in args {
        let value = match w.text.split_once('=') {
            Some((f, v)) if f.starts_with("--") => v,
            _ if w.text.starts_with('-') => continue,
            _ => w.text.as_str(),
        };
        // Only what looks like a path (`kit/`, `x.sigstore`), not `json` or `kyverno`.
        if value.is_empty()
            || value.contains("://")
            || value.contains('@')
            || !(value.contains('/') || value.contains('.'))
        {
            continue;
        }
        let rel = Path::new(value);
        if rel.is_absolute() || dir.join(rel).exists() {
            continue;
        }
        match shared_file(shared, rel) {
            Some(src) if !value.ends_with('/') => {
                if let Some(parent) = dir.join(rel).parent() {
                    std::fs::create_dir_all(parent).unwrap();
                }
                std::os::unix::fs::symlink(src, dir.join(rel)).unwrap();
            }
            _ => missing.push(value.to_string()),
        }
    }
    let argv: Vec<String> = args.iter().map(|w| w.text.clone()).collect();
    let ran = run_offline(&argv, dir, closed_proxy);
    let all = format!("{}{}", ran.stdout, ran.stderr);
    let what = format!("{}: `{}`", cmd.place, cmd.line);
    let mut problems = Vec::new();
    eprintln!(
        "{what}: exit {:?}{}",
        ran.code,
        if missing.is_empty() {
            String::new()
        } else {
            format!(" (left to the reader: {missing:?})")
        }
    );
    if ran.timed_out {
        problems.push(format!(
            "{what}: still running after {RUN_LIMIT:?} without network"
        ));
        return problems;
    }
    match ran.code {
        Some(0) => {}
        _ if is_clap_error(&ran) => {
            problems.push(format!("{what}: usage error:\n{}", ran.stderr));
        }
        Some(3) if stopped_at_network(&all) => {}
        Some(2)
            if missing
                .iter()
                .any(|m| all.contains(m.trim_end_matches('/'))) => {}
        Some(c) => problems.push(format!(
            "{what}: exit {c} without network (files left to the reader: {missing:?}):\n{all}"
        )),
        None => problems.push(format!("{what}: killed by a signal:\n{all}")),
    }
    if let Some(shown) = &cmd.shown_output {
        if ran.code == Some(0) {
            let printed: Vec<&str> = ran.stdout.lines().map(str::trim_end).collect();
            if printed != shown.iter().map(String::as_str).collect::<Vec<_>>() {
                problems.push(format!(
                    "{what}: prints another output than the doc shows.\nshown:\n{}\nprinted:\n{}",
                    shown.join("\n"),
                    printed.join("\n")
                ));
            }
        } else {
            problems.push(format!(
                "{what}: the doc shows its output, so it must run offline (exit {:?})",
                ran.code
            ));
        }
    }
    problems
}

fn check(cmd: &DocCommand, shared: &[PathBuf], closed_proxy: &str) -> Vec<String> {
    let ws = words(&cmd.line);
    assert_eq!(
        ws.first().map(|w| w.text.as_str()),
        Some("kakunin"),
        "{cmd:?}"
    );
    let args = &ws[1..];
    if args.is_empty() {
        return Vec::new();
    }
    let mut cache = HashMap::new();
    if args.iter().any(is_placeholder) {
        check_synopsis(cmd, args, &mut cache)
    } else {
        check_run(cmd, args, shared, closed_proxy)
    }
}

#[test]
fn every_command_in_the_docs_runs() {
    let cmds = all_commands();
    assert!(
        cmds.len() >= 20 && cmds.iter().any(|c| c.place.starts_with("README.md")),
        "too few command lines found in the docs: {cmds:#?}"
    );
    let mut shared = Vec::new();
    if let Some(dir) = crate::common::shared_fixtures("every_command_in_the_docs_runs") {
        index_files(&dir, &mut shared);
    }
    // A loopback port nothing listens on: every proxied connection is refused at once.
    let closed_proxy = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let started = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let problems = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(cmd) = cmds.get(i) else { break };
                    let p = check(cmd, &shared, &closed_proxy);
                    problems.lock().unwrap().extend(p);
                }
            });
        }
    });
    let problems = problems.into_inner().unwrap();
    assert!(
        problems.is_empty(),
        "{} of {} documented command lines fail ({:?}):\n\n{}",
        problems.len(),
        cmds.len(),
        started.elapsed(),
        problems.join("\n\n")
    );
}

/// The checks above can fail: a made-up flag, a made-up subcommand, an example that does not
/// verify, and output the command does not print are each reported.
#[test]
fn a_wrong_doc_line_is_reported() {
    let text = "```\n\
        kakunin verify-bundle --bundle FILE --no-such-flag FILE_OR_DIGEST\n\
        kakunin no-such-command FILE\n\
        kakunin verify --offline --kit fixtures/kit-gomenhashai-1.3.2\n\
        kakunin verify-bundle --bundel x.sigstore sha256:00\n\
        ```\n\
        \n\
        ```\n\
        $ kakunin verify --offline --kit fixtures/kit-gomenhashai-1.3.2 --trusted-root fixtures/test-sigstore/trusted_root.json\n\
        verify gomenhashai@1.3.2\n\
        \x20 VERIFIED: 99 passed\n\
        ```\n";
    let cmds = commands_in("test.md", text);
    assert_eq!(cmds.len(), 5, "{cmds:#?}");
    assert_eq!(cmds[4].shown_output.as_ref().map(Vec::len), Some(2));
    let closed_proxy = "http://127.0.0.1:9";
    let shared = Vec::new();
    let found: Vec<Vec<String>> = cmds
        .iter()
        .map(|c| check(c, &shared, closed_proxy))
        .collect();
    assert!(found[0][0].contains("lists no --no-such-flag"), "{found:?}");
    assert!(found[1][0].contains("no kakunin subcommand"), "{found:?}");
    // The kit verified against its own root only: the root is not trusted, not verified.
    assert!(found[2][0].contains("exit"), "{found:?}");
    assert!(found[3][0].contains("usage error"), "{found:?}");
    assert!(found[4][0].contains("another output"), "{found:?}");
    assert!(found[4][0].contains("VERIFIED: 99 passed"), "{found:?}");
}

#[test]
fn words_stop_at_the_shell() {
    let w: Vec<String> =
        words(r#"kakunin verify "$release" --output json > kakunin.json || exit 1"#)
            .into_iter()
            .map(|w| w.text)
            .collect();
    assert_eq!(w, ["kakunin", "verify", "$release", "--output", "json"]);
    let w = words("kakunin verify --offline --kit kit/   # air-gapped side");
    assert_eq!(w.len(), 5);
    let re = words(r"kakunin x --re 'https://github\.com/.+' a\ b");
    assert_eq!(re[3].text, r"https://github\.com/.+");
    assert!(re[3].quoted);
    assert_eq!(re[4].text, "a b");
    for p in [
        "FILE",
        "CHART@VERSION",
        "[--staging]",
        "X.sigstore",
        "--key=PEM",
        "…",
    ] {
        assert!(
            is_placeholder(&Word {
                text: p.into(),
                quoted: false
            }),
            "{p}"
        );
    }
    for p in [
        "gomenhashai@1.3.2",
        "GomenHashai-v1.3.1.sigstore",
        "--offline",
        "kit/",
    ] {
        assert!(
            !is_placeholder(&Word {
                text: p.into(),
                quoted: false
            }),
            "{p}"
        );
    }
}
