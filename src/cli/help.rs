//! Examples printed verbatim and the manual pages.
//!
//! clap re-wraps `after_long_help` to the terminal's width (the `wrap_help` feature), which
//! broke example command lines in the middle (`--certificate-identity-regexp⏎'https://…'`), so
//! that a copied example no longer ran. The examples are therefore not given to clap: `--help`
//! prints clap's help and then the examples exactly as written, and the manual pages carry them
//! in an EXAMPLES section in no-fill mode, with EXIT STATUS and ENVIRONMENT sections.

use std::io::Write;

use clap::CommandFactory;

use super::{
    Cli, download, inspect, post_render, publish, trust_root, verify, verify_attestation,
    verify_bundle, verify_image,
};

/// The examples of a command, by its name (`None`: the top level).
pub fn examples(command: Option<&str>) -> Option<&'static str> {
    Some(match command {
        None => super::EXAMPLES,
        Some("verify") => verify::EXAMPLES,
        Some("verify-bundle") => verify_bundle::EXAMPLES,
        Some("verify-attestation") => verify_attestation::EXAMPLES,
        Some("verify-image") => verify_image::EXAMPLES,
        Some("download") => download::EXAMPLES,
        Some("trust-root") => trust_root::EXAMPLES,
        Some("publish") => publish::EXAMPLES,
        Some("post-render") => post_render::EXAMPLES,
        Some("inspect") => inspect::EXAMPLES,
        Some(_) => return None,
    })
}

/// After clap printed a `--help` (long help), the examples of the command it was for: the
/// first argument that names a subcommand (after `help`, for `kakunin help CMD`).
pub fn print_examples_after_help(args: &[String]) {
    let long = args.iter().any(|a| a == "--help") || args.first().is_some_and(|a| a == "help");
    if !long {
        return;
    }
    let names: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let command = args
        .iter()
        .take_while(|a| *a != "--")
        .find(|a| names.iter().any(|n| n == *a) && *a != "help");
    if let Some(text) = examples(command.map(String::as_str)) {
        print!("\n{text}");
    }
}

const EXIT_STATUS: &str = "\
0  verified: everything asked for was checked and holds
1  verification failed: at least one check ran and failed
2  usage or input error: the command line or an input file is wrong
3  could not fetch: something could not be fetched, or a check could not run
(publish: 0 published and verified, 1 what was produced does not verify, 2 usage or input
error, 3 a signing service or the output directory failed; completions, man: 0, or 2)";

const ENVIRONMENT: &[(&str, &str)] = &[
    ("NO_COLOR", "set and not empty: no colour in human reports"),
    (
        "KAKUNIN_CACHE_DIR, XDG_CACHE_HOME, HOME",
        "the cache directory: $KAKUNIN_CACHE_DIR, else $XDG_CACHE_HOME/kakunin, else ~/.cache/kakunin (verify, download, trust-root update)",
    ),
    (
        "DOCKER_CONFIG",
        "the directory of the Docker config.json whose auths and credential helpers (credHelpers, credsStore) give registry credentials (else ~/.docker)",
    ),
    (
        "HELM_REGISTRY_CONFIG",
        "verify, post-render, policy export: the Helm registry config (--registry-config), whose credentials are tried before the Docker config's",
    ),
    (
        "SIGSTORE_ID_TOKEN, ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "publish, sign-bundle: the OIDC identity token for keyless signing, given or from GitHub Actions",
    ),
    (
        "GITHUB_REPOSITORY, GITHUB_WORKFLOW_REF, GITHUB_REF, GITHUB_SHA, GITHUB_RUN_ID, RUNNER_ENVIRONMENT, …",
        "publish: the build the provenance describes, in GitHub Actions",
    ),
    (
        "COSIGN_PASSWORD",
        "publish --key: the passphrase of an encrypted cosign.key",
    ),
    (
        "KAKUNIN_PROV_PASSPHRASE",
        "publish chart --prov-key: the OpenPGP key's passphrase",
    ),
];

/// roff text: backslashes escaped, a leading `.` or `'` made literal.
fn roff(line: &str) -> String {
    let s = line.replace('\\', "\\e");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

/// One manual page: clap_mangen's title, name, synopsis, description, options and
/// subcommands, then EXAMPLES (verbatim), EXIT STATUS, ENVIRONMENT and the version.
pub fn render_page(
    cmd: clap::Command,
    examples: Option<&str>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(out)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(out)?;
    }
    if let Some(ex) = examples.filter(|e| !e.is_empty()) {
        writeln!(out, ".SH EXAMPLES")?;
        writeln!(out, ".nf")?;
        for line in ex.lines().filter(|l| *l != "Examples:") {
            writeln!(out, "{}", roff(line))?;
        }
        writeln!(out, ".fi")?;
    }
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    writeln!(out, ".nf")?;
    for line in EXIT_STATUS.lines() {
        writeln!(out, "{}", roff(line))?;
    }
    writeln!(out, ".fi")?;
    writeln!(out, ".SH ENVIRONMENT")?;
    for (name, what) in ENVIRONMENT {
        writeln!(out, ".TP")?;
        writeln!(out, "\\fB{}\\fR", roff(name))?;
        writeln!(out, "{}", roff(what))?;
    }
    man.render_version_section(out)?;
    Ok(())
}

/// The top-level page, and one `kakunin-<command>.1` per command (nested commands included:
/// `kakunin-publish-chart.1`), as (file name, page).
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let root = Cli::command();
    let mut pages = Vec::new();
    let mut page = Vec::new();
    render_page(root.clone(), examples(None), &mut page).expect("writing to memory");
    pages.push(("kakunin.1".to_string(), page));
    fn walk(
        file: &str,
        bin: &str,
        parent_examples: Option<&'static str>,
        cmd: &clap::Command,
        pages: &mut Vec<(String, Vec<u8>)>,
    ) {
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let file = format!("{file}-{}", sub.get_name());
            let bin = format!("{bin} {}", sub.get_name());
            let ex = if parent_examples.is_none() {
                examples(Some(sub.get_name()))
            } else {
                parent_examples
            };
            // `kakunin man` runs once and exits: leaking the page names is harmless.
            let name: &'static str = Box::leak(file.clone().into_boxed_str());
            let sub = sub
                .clone()
                .name(name)
                .bin_name(bin.clone())
                .version(env!("CARGO_PKG_VERSION"));
            let mut page = Vec::new();
            render_page(sub.clone(), ex, &mut page).expect("writing to memory");
            pages.push((format!("{file}.1"), page));
            walk(&file, &bin, ex.or(Some("")), &sub, pages);
        }
    }
    let mut root = root;
    root.build();
    walk("kakunin", "kakunin", None, &root, &mut pages);
    pages
}
