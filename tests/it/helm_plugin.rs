//! The Helm plugins in `helm-plugin/`, checked against Helm's own contract and run as Helm runs
//! them (Helm cannot be installed here). What is mirrored, from helm/helm (commit e9b85e4de):
//! - plugin.yaml, Helm 4: `internal/plugin/metadata_v1.go` (top level read with
//!   `KnownFields(true)`; `apiVersion: v1`, name `^[A-Za-z0-9_-]+$`, strict SemVer version,
//!   type, runtime), `internal/plugin/schema/cli.go` (the `cli/v1` config, strict),
//!   `internal/plugin/schema/postrenderer.go` (the `postrenderer/v1` config: no fields),
//!   `internal/plugin/runtime_subprocess.go` (`runtimeConfig`: `platformCommand`,
//!   `platformHooks`, `protocolCommands`); Helm 3: `pkg/plugin/plugin.go` of dev-v3 (read with
//!   `yaml.UnmarshalStrict`; one unloadable plugin there stops every plugin loading);
//! - the command line: `internal/plugin/subprocess_commands.go` (platform selection, the
//!   command split on spaces, `$VAR` expansion of command and args, extra args appended),
//!   `pkg/cmd/load_plugins.go` (Helm's own flags taken out of the plugin's arguments by
//!   `manuallyProcessArgs` and passed as environment, `settings.EnvVars()` of
//!   `pkg/cli/environment.go`), `runCLI`/`runPostrenderer` (the environment replaced by
//!   Helm's map, manifests on stdin, stdout collected, empty output refused by
//!   `pkg/postrenderer/postrenderer.go`);
//! - archives: `internal/plugin/installer/extractor.go` (directories and regular files only,
//!   no `..`, no `:`, no absolute paths, `stripPluginName`), `local_installer.go` (Helm 4:
//!   `<name>/plugin.yaml` in the archive), dev-v3 `http_installer.go` (Helm 3: `plugin.yaml`
//!   at the archive's root).

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde::Deserialize;

use crate::common::{TempDir, code, repo, shared_fixtures, stderr, stdout};
use crate::post_render::{UNSIGNED, golden, loopback_profile};
use crate::support::http::{Reply, Server};
use crate::support::registry::{OCI_MANIFEST, Registry};

// ---- plugin.yaml, as Helm reads it ----

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct PlatformCommand {
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    arch: Option<String>,
    command: String,
    #[serde(default)]
    args: Vec<String>,
}

/// Helm 3's `Metadata` (dev-v3 pkg/plugin/plugin.go), strict like `yaml.UnmarshalStrict`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Helm3Metadata {
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    usage: String,
    #[serde(default)]
    description: String,
    #[serde(default, rename = "platformCommand")]
    platform_command: Vec<PlatformCommand>,
    #[serde(default)]
    command: String,
    #[serde(default, rename = "ignoreFlags")]
    ignore_flags: bool,
    #[serde(default, rename = "platformHooks")]
    platform_hooks: Option<serde_norway::Value>,
    #[serde(default)]
    hooks: Option<serde_norway::Value>,
    #[serde(default)]
    downloaders: Option<serde_norway::Value>,
    #[serde(default, rename = "useTunnel")]
    use_tunnel: bool,
}

/// Helm 4's `MetadataV1` (internal/plugin/metadata_v1.go), read with `KnownFields(true)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetadataV1 {
    #[serde(rename = "apiVersion")]
    api_version: String,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    runtime: String,
    version: String,
    #[serde(default, rename = "sourceURL")]
    #[allow(dead_code)]
    source_url: Option<String>,
    #[serde(default)]
    config: Option<serde_norway::Value>,
    #[serde(rename = "runtimeConfig")]
    runtime_config: serde_norway::Value,
}

/// `schema.ConfigCLIV1`, decoded with `KnownFields(true)`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigCliV1 {
    #[serde(default)]
    usage: String,
    #[serde(default, rename = "shortHelp")]
    short_help: String,
    #[serde(default, rename = "longHelp")]
    #[allow(dead_code)]
    long_help: String,
    #[serde(default, rename = "ignoreFlags")]
    ignore_flags: bool,
}

/// `schema.ConfigPostRendererV1`: an empty struct, decoded with `KnownFields(true)`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigPostRendererV1 {}

/// `RuntimeConfigSubprocess`. Helm decodes it without `KnownFields`, so a misspelt key would be
/// dropped silently and the plugin would have no command: refused here instead.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuntimeConfigSubprocess {
    #[serde(default, rename = "platformCommand")]
    platform_command: Vec<PlatformCommand>,
    #[serde(default, rename = "platformHooks")]
    platform_hooks: Option<serde_norway::Value>,
    #[serde(default, rename = "protocolCommands")]
    protocol_commands: Option<serde_norway::Value>,
}

/// A plugin as Helm 4 loads it.
#[derive(Debug)]
struct Helm4Plugin {
    meta: MetadataV1,
    cli: Option<ConfigCliV1>,
    runtime: RuntimeConfigSubprocess,
}

fn plugin_dir(rel: &str) -> PathBuf {
    repo().join("helm-plugin").join(rel)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Helm's `semver.StrictNewVersion` accepts exactly SemVer 2.0 (no `v`, three numbers).
fn strict_semver(v: &str) -> bool {
    !v.starts_with('v') && semver::Version::parse(v).is_ok()
}

/// `peekAPIVersion`: the `apiVersion` Helm 4 dispatches on ("" = legacy).
fn peek_api_version(text: &str) -> String {
    let v: serde_norway::Value = serde_norway::from_str(text).expect("plugin.yaml is YAML");
    v.get("apiVersion")
        .and_then(|a| a.as_str())
        .unwrap_or_default()
        .to_string()
}

fn load_helm4(dir: &Path) -> Result<Helm4Plugin, String> {
    let text = std::fs::read_to_string(dir.join("plugin.yaml")).map_err(|e| e.to_string())?;
    let api = peek_api_version(&text);
    if api != "v1" {
        return Err(format!("invalid plugin apiVersion: {api:?}"));
    }
    let meta: MetadataV1 = serde_norway::from_str(&text).map_err(|e| e.to_string())?;
    if !valid_name(&meta.name) {
        return Err(format!("invalid plugin `name` {:?}", meta.name));
    }
    if !strict_semver(&meta.version) {
        return Err(format!("invalid plugin `version` {:?}", meta.version));
    }
    if meta.runtime != "subprocess" {
        return Err(format!("unsupported runtime {:?}", meta.runtime));
    }
    let config = meta
        .config
        .clone()
        .unwrap_or(serde_norway::Value::Mapping(Default::default()));
    let cli = match meta.kind.as_str() {
        "cli/v1" => {
            Some(serde_norway::from_value::<ConfigCliV1>(config).map_err(|e| e.to_string())?)
        }
        "postrenderer/v1" => {
            serde_norway::from_value::<ConfigPostRendererV1>(config).map_err(|e| e.to_string())?;
            None
        }
        other => return Err(format!("unknown plugin type {other:?}")),
    };
    let runtime: RuntimeConfigSubprocess =
        serde_norway::from_value(meta.runtime_config.clone()).map_err(|e| e.to_string())?;
    Ok(Helm4Plugin { meta, cli, runtime })
}

fn load_helm3(dir: &Path) -> Result<Helm3Metadata, String> {
    let text = std::fs::read_to_string(dir.join("plugin.yaml")).map_err(|e| e.to_string())?;
    let meta: Helm3Metadata = serde_norway::from_str(&text).map_err(|e| e.to_string())?;
    if !valid_name(&meta.name) {
        return Err(format!("invalid plugin name {:?}", meta.name));
    }
    if !meta.platform_command.is_empty() && !meta.command.is_empty() {
        return Err("both platformCommand and command are set".into());
    }
    // Helm 4 reads a file without apiVersion as this legacy format too: the same file must
    // not claim v1, which Helm 3's strict reading would refuse.
    assert_eq!(
        peek_api_version(&text),
        "",
        "Helm 3 has no apiVersion field"
    );
    Ok(meta)
}

#[test]
fn plugin_yamls_follow_helms_schemas_and_name_kakunins_version() {
    let h3 = load_helm3(&plugin_dir("helm3/kakunin")).unwrap();
    assert_eq!(h3.name, "kakunin");
    assert_eq!(h3.version, env!("CARGO_PKG_VERSION"));
    assert!(
        h3.hooks.is_none() && h3.platform_hooks.is_none(),
        "no install hook"
    );
    assert!(h3.downloaders.is_none());
    assert!(!h3.ignore_flags, "the user's flags must reach kakunin");

    let cli = load_helm4(&plugin_dir("helm4/kakunin")).unwrap();
    assert_eq!(cli.meta.api_version, "v1");
    assert_eq!(cli.meta.kind, "cli/v1");
    assert_eq!(cli.meta.name, "kakunin");
    assert_eq!(cli.meta.version, env!("CARGO_PKG_VERSION"));
    let config = cli.cli.as_ref().unwrap();
    assert!(!config.ignore_flags);
    assert!(!config.short_help.is_empty());
    // cobra names the command after the first word of `Use`: it must be `helm kakunin`.
    assert_eq!(config.usage.split(' ').next(), Some("kakunin"));
    assert!(cli.runtime.platform_hooks.is_none(), "no install hook");
    assert!(cli.runtime.protocol_commands.is_none());

    let pr = load_helm4(&plugin_dir("helm4/kakunin-post-renderer")).unwrap();
    assert_eq!(pr.meta.kind, "postrenderer/v1");
    assert_eq!(pr.meta.name, "kakunin-post-renderer");
    assert_eq!(pr.meta.version, env!("CARGO_PKG_VERSION"));
    assert!(pr.runtime.platform_hooks.is_none(), "no install hook");
    // Helm loads every plugin of a directory: two claiming one name stop them all.
    assert_ne!(cli.meta.name, pr.meta.name);

    // Each resolves to kakunin on this platform, as Helm selects it.
    for cmds in [
        &h3.platform_command,
        &cli.runtime.platform_command,
        &pr.runtime.platform_command,
    ] {
        let (command, _) = platform_command(cmds).expect("a command for this platform");
        assert_eq!(command[0], "kakunin");
    }
}

#[test]
fn the_contract_checks_refuse_what_helm_refuses() {
    let dir = TempDir::new("helm-plugin-bad");
    let write = |text: &str| {
        std::fs::write(dir.path().join("plugin.yaml"), text).unwrap();
        dir.path().to_path_buf()
    };
    let good = std::fs::read_to_string(plugin_dir("helm4/kakunin/plugin.yaml")).unwrap();
    for (what, bad) in [
        ("unknown top-level key", format!("{good}\nhooks: {{}}\n")),
        (
            "v-prefixed version",
            good.replace("version: \"0.1.0\"", "version: \"v0.1.0\""),
        ),
        (
            "unknown config key",
            good.replace(
                "  ignoreFlags: false",
                "  ignoreFlags: false\n  usageText: x",
            ),
        ),
        (
            "misspelt runtimeConfig key",
            good.replace("platformCommand:", "platformCommands:"),
        ),
        ("unknown type", good.replace("type: cli/v1", "type: cli/v2")),
        (
            "bad name",
            good.replace("name: kakunin", "name: kakunin.helm"),
        ),
    ] {
        assert!(load_helm4(&write(&bad)).is_err(), "{what} accepted");
    }
    let pr =
        std::fs::read_to_string(plugin_dir("helm4/kakunin-post-renderer/plugin.yaml")).unwrap();
    let bad = pr.replace("runtimeConfig:", "config:\n  usage: x\nruntimeConfig:");
    assert!(
        load_helm4(&write(&bad)).is_err(),
        "postrenderer config accepted"
    );
    let h3 = std::fs::read_to_string(plugin_dir("helm3/kakunin/plugin.yaml")).unwrap();
    assert!(load_helm3(&write(&format!("{h3}\ntype: cli/v1\n"))).is_err());
    assert!(load_helm3(&write(&format!("{h3}\ncommand: kakunin\n"))).is_err());
}

// ---- the command line, as Helm's subprocess runtime builds it ----

/// Go's `runtime.GOOS`/`GOARCH` for this machine.
fn goos() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

fn goarch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

/// `getPlatformCommand`: exact OS+arch first, then OS with no arch, then neither.
fn platform_command(cmds: &[PlatformCommand]) -> Option<(Vec<String>, Vec<String>)> {
    let eq = |a: &Option<String>, b: &str| a.as_deref().unwrap_or("").eq_ignore_ascii_case(b);
    let empty = |a: &Option<String>| a.as_deref().unwrap_or("").is_empty();
    let mut found: Option<(Vec<String>, Vec<String>)> = None;
    let mut found_os = false;
    for c in cmds {
        let split = || c.command.split(' ').map(str::to_string).collect::<Vec<_>>();
        if eq(&c.os, goos()) && eq(&c.arch, goarch()) {
            return Some((split(), c.args.clone()));
        }
        if (!empty(&c.os) && !eq(&c.os, goos())) || !empty(&c.arch) {
            continue;
        }
        if !found_os && !empty(&c.os) && eq(&c.os, goos()) {
            found = Some((split(), c.args.clone()));
            found_os = true;
        } else if found.is_none() {
            found = Some((split(), c.args.clone()));
        }
    }
    found.filter(|(c, _)| !c.is_empty() && !c[0].is_empty())
}

/// Go's `os.Expand` for `$NAME` and `${NAME}` (the forms a plugin.yaml uses).
fn expand(s: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let mut name = String::new();
        if chars.peek().map(|(_, c)| *c) == Some('{') {
            chars.next();
            for (_, c) in chars.by_ref() {
                if c == '}' {
                    break;
                }
                name.push(c);
            }
        } else {
            while let Some((_, c)) = chars.peek() {
                if c.is_ascii_alphanumeric() || *c == '_' {
                    name.push(*c);
                    chars.next();
                } else {
                    break;
                }
            }
        }
        out.push_str(env.get(&name).map(String::as_str).unwrap_or(""));
    }
    out
}

/// `PrepareCommands(cmds, true, extraArgs, env)`.
fn prepare(
    cmds: &[PlatformCommand],
    extra: &[String],
    env: &BTreeMap<String, String>,
) -> (String, Vec<String>) {
    let (parts, args) = platform_command(cmds).expect("no plugin command is applicable");
    let main = expand(&parts[0], env);
    let mut argv: Vec<String> = parts[1..].iter().map(|p| expand(p, env)).collect();
    argv.extend(args.iter().map(|a| expand(a, env)));
    argv.extend(extra.iter().cloned());
    (main, argv)
}

/// `manuallyProcessArgs` (pkg/cmd/load_plugins.go): Helm's own flags (known) and the plugin's.
fn manually_process_args(args: &[&str]) -> (Vec<String>, Vec<String>) {
    const KV: [&str; 14] = [
        "--kube-context",
        "--namespace",
        "-n",
        "--kubeconfig",
        "--kube-apiserver",
        "--kube-token",
        "--kube-as-user",
        "--kube-as-group",
        "--kube-ca-file",
        "--registry-config",
        "--repository-cache",
        "--repository-config",
        "--kube-insecure-skip-tls-verify",
        "--kube-tls-server-name",
    ];
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if a == "--debug" {
            known.push(a.to_string());
        } else if KV.contains(&a) {
            known.push(a.to_string());
            i += 1;
            if i < args.len() {
                known.push(args[i].to_string());
            }
        } else if KV.iter().any(|k| a.starts_with(&format!("{k}="))) {
            known.push(a.to_string());
        } else {
            unknown.push(a.to_string());
        }
        i += 1;
    }
    (known, unknown)
}

/// A Helm installation's directories, and a PATH on which `kakunin` is the built binary.
struct HelmHome {
    dir: TempDir,
}

impl HelmHome {
    fn new() -> HelmHome {
        let dir = TempDir::new("helm-home");
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kakunin"), bin.join("kakunin")).unwrap();
        HelmHome { dir }
    }

    fn path(&self, rel: &str) -> String {
        self.dir.path().join(rel).display().to_string()
    }

    /// The process environment Helm starts with (what the user's shell gives it).
    fn os_environ(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("PATH".into(), format!("{}:/usr/bin:/bin", self.path("bin"))),
            ("HOME".into(), self.path("home")),
            ("KAKUNIN_CACHE_DIR".into(), self.path("kakunin-cache")),
        ])
    }

    /// `settings.EnvVars()` after Helm parsed its own flags `known` (`--registry-config`,
    /// `--repository-config`, `--repository-cache`, `-n`/`--namespace`), with Helm's defaults
    /// (helmpath on Linux) otherwise.
    fn env_vars(&self, known: &[String]) -> BTreeMap<String, String> {
        let mut flags: HashMap<&str, String> = HashMap::new();
        let mut i = 0;
        while i < known.len() {
            let k = known[i].as_str();
            let (name, value) = match k.split_once('=') {
                Some((n, v)) => (n, v.to_string()),
                None if k == "--debug" => (k, "true".into()),
                None => {
                    i += 1;
                    (k, known.get(i).cloned().unwrap_or_default())
                }
            };
            let name = if name == "-n" { "--namespace" } else { name };
            flags.insert(name, value);
            i += 1;
        }
        let flag = |f: &str, default: String| flags.get(f).cloned().unwrap_or(default);
        BTreeMap::from([
            ("HELM_BIN".into(), "helm".into()),
            ("HELM_CACHE_HOME".into(), self.path("home/.cache/helm")),
            ("HELM_CONFIG_HOME".into(), self.path("home/.config/helm")),
            ("HELM_DATA_HOME".into(), self.path("home/.local/share/helm")),
            ("HELM_DEBUG".into(), flag("--debug", "false".into())),
            (
                "HELM_PLUGINS".into(),
                self.path("home/.local/share/helm/plugins"),
            ),
            (
                "HELM_REGISTRY_CONFIG".into(),
                flag(
                    "--registry-config",
                    self.path("home/.config/helm/registry/config.json"),
                ),
            ),
            (
                "HELM_REPOSITORY_CACHE".into(),
                flag(
                    "--repository-cache",
                    self.path("home/.cache/helm/repository"),
                ),
            ),
            (
                "HELM_CONTENT_CACHE".into(),
                self.path("home/.cache/helm/content"),
            ),
            (
                "HELM_REPOSITORY_CONFIG".into(),
                flag(
                    "--repository-config",
                    self.path("home/.config/helm/repositories.yaml"),
                ),
            ),
            (
                "HELM_NAMESPACE".into(),
                flag("--namespace", "default".into()),
            ),
            ("HELM_MAX_HISTORY".into(), "10".into()),
            ("HELM_BURST_LIMIT".into(), "100".into()),
            ("HELM_QPS".into(), "0.00".into()),
            ("HELM_KUBECONTEXT".into(), String::new()),
            ("HELM_KUBETOKEN".into(), String::new()),
            ("HELM_KUBEASUSER".into(), String::new()),
            ("HELM_KUBEASGROUPS".into(), String::new()),
            ("HELM_KUBEAPISERVER".into(), String::new()),
            ("HELM_KUBECAFILE".into(), String::new()),
            ("HELM_KUBEINSECURE_SKIP_TLS_VERIFY".into(), "false".into()),
            ("HELM_KUBETLS_SERVER_NAME".into(), String::new()),
        ])
    }
}

/// Runs `main argv` with exactly `env` (Helm sets `cmd.Env`), `stdin` piped in, as
/// `exec.CommandContext` does: a command without a slash is looked up on the env's PATH.
fn exec(main: &str, argv: &[String], env: &BTreeMap<String, String>, stdin: &[u8]) -> Output {
    let program = if main.contains('/') {
        PathBuf::from(main)
    } else {
        env["PATH"]
            .split(':')
            .map(|d| Path::new(d).join(main))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{main} is not on PATH {}", env["PATH"]))
    };
    let mut child = Command::new(program)
        .args(argv)
        .env_clear()
        .envs(env)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the plugin command starts");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// `helm ARGS…` for a CLI plugin at `dir`: Helm 3's `loadPlugins` + `SetupPluginEnv`, or Helm
/// 4's `loadCLIPlugins` + `runCLI`. `args` start with the plugin's name.
fn helm_cli(home: &HelmHome, helm4: bool, dir: &Path, args: &[&str]) -> Output {
    let (name, cmds, ignore_flags) = if helm4 {
        let p = load_helm4(dir).unwrap();
        let ignore = p.cli.as_ref().unwrap().ignore_flags;
        (p.meta.name, p.runtime.platform_command, ignore)
    } else {
        let p = load_helm3(dir).unwrap();
        (p.name, p.platform_command, p.ignore_flags)
    };
    assert_eq!(args[0], name, "helm runs the plugin by its name");
    let (known, unknown) = manually_process_args(&args[1..]);
    let extra = if ignore_flags { Vec::new() } else { unknown };
    let mut env = home.os_environ();
    env.extend(home.env_vars(&known));
    env.insert("HELM_PLUGIN_NAME".into(), name);
    env.insert("HELM_PLUGIN_DIR".into(), dir.display().to_string());
    let (main, argv) = prepare(&cmds, &extra, &env);
    exec(&main, &argv, &env, b"")
}

/// `helm install … --post-renderer kakunin-post-renderer --post-renderer-args A…` (Helm 4):
/// `runPostrenderer` with the process environment and `HELM_PLUGIN_*`, manifests on stdin.
/// `Err` is what Helm reports instead of applying anything.
fn helm4_post_render(
    home: &HelmHome,
    extra_env: &[(&str, &str)],
    post_renderer_args: &[&str],
    manifests: &[u8],
) -> Result<Vec<u8>, Output> {
    let dir = plugin_dir("helm4/kakunin-post-renderer");
    let p = load_helm4(&dir).unwrap();
    let mut env = home.os_environ();
    env.extend(
        extra_env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    env.insert("HELM_PLUGIN_NAME".into(), p.meta.name.clone());
    env.insert("HELM_PLUGIN_DIR".into(), dir.display().to_string());
    let extra: Vec<String> = post_renderer_args.iter().map(|s| s.to_string()).collect();
    let (main, argv) = prepare(&p.runtime.platform_command, &extra, &env);
    let out = exec(&main, &argv, &env, manifests);
    // executeCmd: a non-zero exit is an error; then an output of only whitespace is one.
    if !out.status.success() || out.stdout.trim_ascii().is_empty() {
        return Err(out);
    }
    Ok(out.stdout)
}

fn kit_args() -> Vec<&'static str> {
    vec![
        "verify",
        "--offline",
        "--kit",
        "fixtures/kit-gomenhashai-1.3.2",
        "--trusted-root",
        "fixtures/test-sigstore/trusted_root.json",
    ]
}

#[test]
fn helm_kakunin_verify_runs_kakunin_with_helms_arguments_and_exit_code() {
    let home = HelmHome::new();
    for (helm4, dir) in [(false, "helm3/kakunin"), (true, "helm4/kakunin")] {
        let dir = plugin_dir(dir);
        let mut args = vec!["kakunin"];
        args.extend(kit_args());
        // Helm's own flags anywhere on the line are Helm's, not kakunin's.
        args.extend(["--namespace", "prod", "--debug"]);
        let out = helm_cli(&home, helm4, &dir, &args);
        assert_eq!(code(&out), 0, "helm4={helm4}: {}", stderr(&out));
        assert!(stdout(&out).contains("VERIFIED"), "{}", stdout(&out));

        // The exit code is kakunin's (Helm 4 returns it as CommandError.ExitCode; Helm 3 too):
        // the kit verified against a trusted root that did not sign it fails.
        let mut args = vec!["kakunin"];
        args.extend(kit_args());
        let i = args
            .iter()
            .position(|a| *a == "fixtures/test-sigstore/trusted_root.json");
        let wrong = home.path("public-root.json");
        let root = crate::common::kakunin()
            .args(["trust-root", "show"])
            .output()
            .unwrap();
        std::fs::write(&wrong, &root.stdout).unwrap();
        args[i.unwrap()] = &wrong;
        let out = helm_cli(&home, helm4, &dir, &args);
        assert_eq!(code(&out), 1, "helm4={helm4}: {}", stderr(&out));
        assert!(stdout(&out).contains("chart.bundle"), "{}", stdout(&out));

        // A kakunin usage error stays one.
        let out = helm_cli(&home, helm4, &dir, &["kakunin", "verify", "--no-such-flag"]);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
    }
}

/// An image behind Basic authentication on a loopback registry; the credentials are in the file
/// `helm --registry-config FILE` names, which Helm hands to the plugin as HELM_REGISTRY_CONFIG.
#[test]
fn helms_registry_config_gives_kakunin_its_registry_credentials() {
    let server = Server::start();
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;
    server.route(
        "/v2/team/app/manifests/1.0",
        Reply::Basic {
            credentials: "dTpw".into(), // base64("u:p")
            then: Box::new(Reply::Ok(manifest.to_vec(), OCI_MANIFEST)),
        },
    );
    let host = format!("127.0.0.1:{}", server.port);
    let home = HelmHome::new();
    let config = home.path("registry-config.json");
    std::fs::write(
        &config,
        format!(r#"{{"auths":{{"{host}":{{"auth":"dTpw"}}}}}}"#),
    )
    .unwrap();
    // The image's registry is the loopback server (a mirror, reached over plain HTTP).
    let mut profile = kakunin::profile::Profile::gomenhashai().to_raw();
    profile
        .image
        .mirrors
        .insert("registry.example".into(), server.url(""));
    let profile_path = home.path("profile.yaml");
    std::fs::write(&profile_path, profile.to_yaml()).unwrap();
    let profile_arg = format!("--profile={profile_path}");
    let manifests = "---\n# Source: app/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n      image: registry.example/team/app:1.0\n".to_string();
    let input = home.path("rendered.yaml");
    std::fs::write(&input, &manifests).unwrap();
    let pattern = "registry.example/team/*".to_string();
    let dir = plugin_dir("helm4/kakunin");
    let args = |with: bool| {
        let mut a = vec!["kakunin", "post-render", input.as_str(), "--no-pin"];
        a.extend([
            "--allow-unsigned",
            pattern.as_str(),
            "--no-cache",
            profile_arg.as_str(),
        ]);
        if with {
            a.extend(["--registry-config", config.as_str()]);
        }
        a
    };
    // Helm's default registry config does not exist: no credentials, the registry refuses.
    let out = helm_cli(&home, true, &dir, &args(false));
    assert_ne!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("401"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    // `helm --registry-config FILE kakunin …`: Helm takes the flag, kakunin gets the env.
    let out = helm_cli(&home, true, &dir, &args(true));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), manifests);
    // The same for the post-renderer plugin, whose environment is the user's own.
    let out = helm4_post_render(
        &home,
        &[("HELM_REGISTRY_CONFIG", config.as_str())],
        &[
            "--no-pin",
            "--allow-unsigned",
            &pattern,
            "--no-cache",
            &profile_arg,
        ],
        manifests.as_bytes(),
    )
    .unwrap_or_else(|o| panic!("{}", stderr(&o)));
    assert_eq!(out, manifests.as_bytes());
}

#[test]
fn helm4_post_renderer_plugin_passes_helms_golden_output_and_pins_only_images() {
    let Some(shared) = shared_fixtures("helm4_post_renderer_plugin") else {
        return;
    };
    let Some(reg) = Registry::start("helm4_post_renderer_plugin") else {
        return;
    };
    let alpine = reg.push_image("library/alpine", "latest", "alpine");
    let nginx = reg.push_image("library/nginx", "stable", "nginx");
    let hello = reg.push_image("google-samples/node-hello", "1.0", "node-hello");
    let home = HelmHome::new();
    let profile = loopback_profile(home.dir.path(), &reg);
    let profile_arg = format!("--profile={}", profile.display());
    let mut args = vec![profile_arg.as_str()];
    args.extend(UNSIGNED);
    let mut pinned = 0;
    for file in golden(&shared) {
        let input = std::fs::read(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = String::from_utf8(input.clone()).unwrap();
        let mut verify_only = args.clone();
        verify_only.push("--no-pin");
        match helm4_post_render(&home, &[], &verify_only, &input) {
            Ok(out) => assert!(out == input, "{name}: --no-pin changed the stream"),
            // A chart that renders no object at all: Helm refuses an empty post-render output
            // whatever the post-renderer does.
            Err(o) if input.trim_ascii().is_empty() => assert_eq!(code(&o), 0),
            Err(o) => panic!("{name}: {}", stderr(&o)),
        }
        let out = helm4_post_render(&home, &[], &args, &input)
            .unwrap_or_else(|o| panic!("{name}: {}", stderr(&o)));
        let expected = text
            .replace(
                "image: \"alpine:latest\"",
                &format!("image: \"alpine@{}\"", alpine.digest),
            )
            .replace(
                "image: \"nginx:stable\"",
                &format!("image: \"nginx@{}\"", nginx.digest),
            )
            .replace(
                "image: gcr.io/google-samples/node-hello:1.0",
                &format!("image: gcr.io/google-samples/node-hello@{}", hello.digest),
            );
        assert_eq!(String::from_utf8(out).unwrap(), expected, "{name}");
        if expected != text {
            pinned += 1;
        }
    }
    assert!(pinned >= 12, "only {pinned} golden files had images");

    // An image outside the policy: non-zero, nothing for Helm to apply.
    let input = std::fs::read(
        shared
            .join("helm/pkg/cmd/testdata/output/template-chart-with-template-lib-archive-dep.txt"),
    )
    .unwrap();
    let err = helm4_post_render(&home, &[], &[profile_arg.as_str()], &input).unwrap_err();
    assert_eq!(code(&err), 1, "{}", stderr(&err));
    assert!(err.stdout.is_empty());
    assert!(
        stderr(&err).contains("pin.image-policy"),
        "{}",
        stderr(&err)
    );
    // Helm's golden file of a chart that does not render valid YAML: refused, nothing out.
    let input = std::fs::read(
        shared.join("helm/pkg/cmd/testdata/output/template-with-invalid-yaml-debug.txt"),
    )
    .unwrap();
    let err = helm4_post_render(&home, &[], &[profile_arg.as_str()], &input).unwrap_err();
    assert_eq!(code(&err), 2, "{}", stderr(&err));
    assert!(err.stdout.is_empty());
}

// ---- release archives ----

struct Entry {
    path: String,
    kind: tar::EntryType,
    mode: u32,
    bytes: Vec<u8>,
}

fn read_tgz(path: &Path) -> Vec<Entry> {
    let f = std::fs::File::open(path).unwrap();
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(f));
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let path = String::from_utf8(e.path_bytes().to_vec()).unwrap();
            let kind = e.header().entry_type();
            let mode = e.header().mode().unwrap();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            Entry {
                path,
                kind,
                mode,
                bytes,
            }
        })
        .collect()
}

/// Helm's `stripPluginName`: the archive's base name without suffix and `-<version>…`.
fn strip_plugin_name(file: &str) -> String {
    let stem = file
        .strip_suffix(".tgz")
        .or_else(|| file.strip_suffix(".tar.gz"))
        .unwrap();
    // `(.*)-\d+\..*`, greedy: the last `-<digit>…` followed later by a dot.
    let bytes = stem.as_bytes();
    for i in (0..bytes.len()).rev() {
        if bytes[i] == b'-'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
            && stem[i + 1..]
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .starts_with('.')
        {
            return stem[..i].to_string();
        }
    }
    stem.to_string()
}

#[test]
fn release_archives_have_the_layout_helm_installs() {
    let out_dir = TempDir::new("helm-plugin-archives");
    let run = Command::new(repo().join("scripts/package-helm-plugin"))
        .arg(out_dir.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let v = env!("CARGO_PKG_VERSION");
    let cases = [
        // (archive, source directory, prefix of every path in the archive)
        (
            format!("helm3/kakunin-{v}.tgz"),
            "helm3/kakunin",
            String::new(),
        ),
        (
            format!("helm4/kakunin-{v}.tgz"),
            "helm4/kakunin",
            "kakunin/".to_string(),
        ),
        (
            format!("helm4/kakunin-post-renderer-{v}.tgz"),
            "helm4/kakunin-post-renderer",
            "kakunin-post-renderer/".to_string(),
        ),
    ];
    for (archive, source, prefix) in &cases {
        let path = out_dir.path().join(archive);
        let entries = read_tgz(&path);
        let file = path.file_name().unwrap().to_str().unwrap();
        for e in &entries {
            // The extractor's rules: nothing else is extracted.
            assert!(
                matches!(e.kind, tar::EntryType::Directory | tar::EntryType::Regular),
                "{archive}: {} is neither a directory nor a file",
                e.path
            );
            assert!(
                !e.path.contains(':') && !e.path.starts_with('/'),
                "{}",
                e.path
            );
            assert!(!e.path.split('/').any(|c| c == ".."), "{}", e.path);
            assert!(e.path.starts_with(prefix.as_str()) || e.path == prefix.trim_end_matches('/'));
            assert_eq!(e.mode & 0o022, 0, "{}: writable by others", e.path);
        }
        let yaml = entries
            .iter()
            .find(|e| e.path == format!("{prefix}plugin.yaml"))
            .unwrap_or_else(|| panic!("{archive}: no {prefix}plugin.yaml"));
        assert_eq!(
            yaml.bytes,
            std::fs::read(plugin_dir(source).join("plugin.yaml")).unwrap(),
            "{archive}"
        );
        // Extracted as Helm extracts it, the plugin loads from where Helm looks.
        let extracted = TempDir::new("helm-plugin-extract");
        for e in &entries {
            let target = extracted.path().join(&e.path);
            if e.kind == tar::EntryType::Directory {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(&target, &e.bytes).unwrap();
            }
        }
        if prefix.is_empty() {
            // Helm 3's HTTPInstaller: plugin.yaml at the root of what it extracted; the plugin
            // directory is named after the archive.
            assert_eq!(load_helm3(extracted.path()).unwrap().name, "kakunin");
            assert_eq!(strip_plugin_name(file), "kakunin");
        } else {
            // Helm 4's LocalInstaller: <stripPluginName(archive)>/plugin.yaml.
            let name = strip_plugin_name(file);
            assert_eq!(format!("{name}/"), *prefix);
            let p = load_helm4(&extracted.path().join(&name)).unwrap();
            assert_eq!(p.meta.name, name);
            // Helm 4 saves the archive as <name>-<version>.tgz from the plugin.yaml.
            assert_eq!(file, format!("{}-{}.tgz", p.meta.name, p.meta.version));
        }
    }
    // Reproducible: the same bytes a second time.
    let again = TempDir::new("helm-plugin-archives-again");
    let run = Command::new(repo().join("scripts/package-helm-plugin"))
        .arg(again.path())
        .output()
        .unwrap();
    assert!(run.status.success());
    for (archive, _, _) in &cases {
        assert!(
            std::fs::read(out_dir.path().join(archive)).unwrap()
                == std::fs::read(again.path().join(archive)).unwrap(),
            "{archive} differs between two runs"
        );
    }
}

#[test]
fn helm_plugin_name_stripping_is_helms() {
    assert_eq!(strip_plugin_name("kakunin-0.1.0.tgz"), "kakunin");
    assert_eq!(
        strip_plugin_name("kakunin-post-renderer-0.1.0.tgz"),
        "kakunin-post-renderer"
    );
    assert_eq!(strip_plugin_name("kakunin.tgz"), "kakunin");
    assert_eq!(strip_plugin_name("a-1-b-2.3.tar.gz"), "a-1-b");
}

/// `kakunin verify oci://…` of a chart behind Basic authentication (a front on Debian's
/// docker-registry that refuses every request without the credentials): the credentials of
/// `--registry-config FILE`, or of HELM_REGISTRY_CONFIG as Helm hands it to the plugin, verify
/// it; without them or with wrong ones the registry's 401 stops it, named: the chart could not
/// be fetched (3), as post-render says of an image.
#[test]
fn verify_takes_the_credentials_of_helms_registry_config() {
    use crate::chart_sources::{cosign_key, keyring, package, pgp_pair, push_chart, sign_keyed};
    use crate::support::front::{Front, Rules};
    let Some(reg) = crate::support::registry::Registry::start("verify_registry_config") else {
        return;
    };
    let front = Front::start(
        &reg.host(),
        Rules {
            basic: Some("dTpw".into()), // base64("u:p")
            ..Rules::default()
        },
    );
    let dir = TempDir::new("verify-registry-config");
    let (secret, public) = pgp_pair(7);
    let ring = keyring(dir.path(), "pub.asc", &public);
    let tgz_path = package(dir.path(), "1.0.0", &[], Some(&secret));
    let tgz = std::fs::read(&tgz_path).unwrap();
    let mut prov_path = tgz_path.into_os_string();
    prov_path.push(".prov");
    let prov = std::fs::read(prov_path).unwrap();
    let name = "o/charts/demo";
    let manifest = push_chart(&reg, name, &tgz, Some(&prov));
    let (key, pem) = cosign_key(dir.path(), "project");
    sign_keyed(&reg, name, &manifest, &key);
    let config_for = |file: &str, auth: &str| {
        let p = dir.path().join(file);
        std::fs::write(
            &p,
            format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, front.host()),
        )
        .unwrap();
        p
    };
    let good = config_for("registry-config.json", "dTpw");
    let wrong = config_for("wrong.json", "dTp4"); // base64("u:x")
    let docker = dir.path().join("docker"); // no Docker config: only the registry config counts
    let reference = format!("oci://{}/{name}", front.host());
    let verify = |flag: Option<&Path>, env: Option<&Path>| {
        let mut c = crate::common::kakunin();
        c.args([
            "verify",
            &reference,
            "--version",
            "1.0.0",
            "--keyring",
            &ring,
        ])
        .arg("--key")
        .arg(&pem)
        .args(["--insecure-ignore-tlog", "--no-cache", "-o", "json"])
        .env("DOCKER_CONFIG", &docker)
        .env_remove("HELM_REGISTRY_CONFIG");
        if let Some(f) = flag {
            c.arg("--registry-config").arg(f);
        }
        if let Some(e) = env {
            c.env("HELM_REGISTRY_CONFIG", e);
        }
        c.output().unwrap()
    };
    // No credentials: the registry client's own error, naming what is missing; nothing was
    // fetched, so it is "could not fetch" (3), not a wrong answer.
    let out = verify(None, None);
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "401 from {} asking for Basic credentials",
            front.host()
        )),
        "{err}"
    );
    // Wrong credentials: the registry still answers 401, the chart could not be fetched (3).
    let out = verify(Some(&wrong), None);
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("HTTP 401"), "{err}");
    for (what, out) in [
        ("--registry-config", verify(Some(&good), None)),
        ("HELM_REGISTRY_CONFIG", verify(None, Some(&good))),
    ] {
        assert_eq!(code(&out), 0, "{what}: {}\n{}", stdout(&out), stderr(&out));
        let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(
            r["reports"][0]["details"]["manifest_digest"], manifest,
            "{what}"
        );
    }
    // The flag wins over the environment.
    let out = verify(Some(&wrong), Some(&good));
    assert_eq!(code(&out), 3, "{}", stderr(&out));
}
