//! Evidence that is wrong, missing or ambiguous, on tampered copies of the README's kit
//! (`fixtures/kit-gomenhashai-1.3.2`) through the real binary: a check that could not run is
//! never reported as passed (exit 3, saying why), a file that is there but not what the index,
//! a bundle or a digest says fails the check covering it (exit 1), and an ambiguous release or
//! kit is refused (a failed check naming both, or exit 2).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{TempDir, code, repo, stderr, stdout};
use crate::kit::KIT;

/// A copy of the README's kit in a temporary directory.
pub struct KitCopy {
    _dir: TempDir,
    pub path: PathBuf,
}

impl KitCopy {
    pub fn new(name: &str) -> KitCopy {
        let dir = TempDir::new(name);
        let path = dir.path().join("kit");
        copy_dir(&repo().join(KIT), &path);
        KitCopy { _dir: dir, path }
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }

    pub fn kit_json(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.file("kit.json")).unwrap()).unwrap()
    }

    pub fn write_kit_json(&self, v: &Value) {
        std::fs::write(self.file("kit.json"), serde_json::to_vec_pretty(v).unwrap()).unwrap();
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The README's offline command on `kit` (from the repository root, with no cache), as JSON
/// when `json`.
fn verify(kit: &Path, json: bool) -> std::process::Output {
    let cache = TempDir::new("evidence-cache");
    let kit = kit.display().to_string();
    let mut args = vec![
        "verify",
        "--offline",
        "--kit",
        &kit,
        "--trusted-root",
        "fixtures/test-sigstore/trusted_root.json",
    ];
    if json {
        args.extend(["--output", "json"]);
    }
    crate::common::kakunin()
        .current_dir(repo())
        .env("KAKUNIN_CACHE_DIR", cache.path())
        .args(&args)
        .output()
        .expect("kakunin runs")
}

/// The checks of a JSON report, by id.
fn checks(out: &std::process::Output) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON report: {e}\n{}\n{}", stdout(out), stderr(out)));
    v["reports"][0]["checks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn check<'a>(checks: &'a [Value], id: &str) -> &'a Value {
    checks
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {checks:#?}"))
}

/// The checks that did not pass: (id, outcome).
fn not_passed(checks: &[Value]) -> Vec<(String, String)> {
    checks
        .iter()
        .filter(|c| c["outcome"] != "pass")
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                c["outcome"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn pair(id: &str, outcome: &str) -> (String, String) {
    (id.to_string(), outcome.to_string())
}

// --- Defect 2: a check that could not run is never reported as passed.

/// The registry's tag list missing from the kit, garbage, or not listed at all: without it
/// semver.image-release could not run (exit 3), saying why. (It used to pass on a list made
/// of the appVersion alone, taken from the image release's bundle.)
#[test]
fn without_the_registrys_tag_list_image_release_could_not_run() {
    // Deleted from the kit.
    let kit = KitCopy::new("tags-deleted");
    std::fs::remove_file(kit.file("files/list")).unwrap();
    let out = verify(&kit.path, true);
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    let cs = checks(&out);
    assert_eq!(not_passed(&cs), [pair("semver.image-release", "not-run")]);
    let found = check(&cs, "semver.image-release")["found"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        found.contains("the tags of ghcr.io/gomenhashai/gomenhashai could not be obtained")
            && found.contains("listed in kit.json, but not in the kit"),
        "{found}"
    );

    // Garbage (and so not what kit.json records either).
    let kit = KitCopy::new("tags-garbage");
    std::fs::write(kit.file("files/list"), b"<html>rate limited</html>").unwrap();
    let out = verify(&kit.path, true);
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    let cs = checks(&out);
    assert_eq!(not_passed(&cs), [pair("semver.image-release", "not-run")]);

    // Not in the kit at all (what an offline run without the registry sees).
    let kit = KitCopy::new("tags-unlisted");
    let mut m = kit.kit_json();
    m["files"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["role"] != "image-tags");
    kit.write_kit_json(&m);
    let out = verify(&kit.path, false);
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("? semver.image-release"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("offline: list is not in the kit"),
        "{}",
        stdout(&out)
    );
}

// --- Defect 3: a tampered file fails the check that covers it (exit 1), never "could not fetch".

/// One byte of the chart package changed: chart.index-digest fails with the index's digest
/// expected and the file's found, and the run exits 1 (it used to exit 3, "does not match
/// kit.json", the code CI gates retry).
#[test]
fn the_readme_command_on_a_kit_with_one_byte_of_the_chart_changed_exits_1() {
    let kit = KitCopy::new("chart-byte");
    let path = kit.file("files/gomenhashai-1.3.2.tgz");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let found = kakunin::digest::Digest::sha256(&bytes).to_string();
    let out = verify(&kit.path, true);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let cs = checks(&out);
    let c = check(&cs, "chart.index-digest");
    assert_eq!(c["outcome"], "fail", "{c:#}");
    assert_eq!(
        c["expected"],
        "sha256:9dfb23f36a9cc04154d184deeefb9cab539fc57e0b49cb14fcdeca7cb97fbbd0"
    );
    assert_eq!(c["found"], found.as_str());
    assert!(
        c["evidence"][0]
            .as_str()
            .unwrap()
            .contains("it does not match kit.json, which records sha256:9dfb23f3"),
        "{c:#}"
    );
    assert!(
        !cs.iter()
            .any(|c| c["outcome"] == "not-run" && c["id"] == "chart.index-digest")
    );
    // The human report, as the README shows it.
    let out = verify(&kit.path, false);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("✗ chart.index-digest"),
        "{}",
        stdout(&out)
    );
}

/// The same for the other kinds of file a kit holds: a changed bundle fails its bundle check;
/// in the image's OCI layout (`images/ghcr.io/gomenhashai/gomenhashai`), a changed attached
/// bundle or referrers index fails image.registry-attestation rather than leaving it not run,
/// and a changed image manifest fails image.registry-digest.
#[test]
fn a_changed_bundle_or_registry_file_fails_the_check_that_covers_it() {
    // The layout's blobs, by what they are: its index names the tags, the referrers index
    // names the attached manifest, whose layer is the bundle.
    const LAYOUT: &str = "images/ghcr.io/gomenhashai/gomenhashai";
    let committed = repo().join(KIT).join(LAYOUT);
    let blob = |digest: &str| {
        format!(
            "{LAYOUT}/blobs/sha256/{}",
            digest.strip_prefix("sha256:").unwrap()
        )
    };
    let json = |rel: &str| -> Value {
        let path = repo().join(KIT).join(rel);
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    };
    let index: Value =
        serde_json::from_slice(&std::fs::read(committed.join("index.json")).unwrap()).unwrap();
    let tagged = |tag: &str| {
        index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
            .unwrap_or_else(|| panic!("no tag {tag} in {index}"))["digest"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let image = blob(&tagged("v1.3.1"));
    let referrers = blob(&tagged(
        "sha256-1a887d8c51ee56e844eb6afde1e1132b559974ee9e7a15ba60ebb9f31d52893c",
    ));
    let attached = blob(json(&referrers)["manifests"][0]["digest"].as_str().unwrap());
    let attached_bundle = blob(json(&attached)["layers"][0]["digest"].as_str().unwrap());
    type Change<'a> = &'a dyn Fn(&mut Vec<u8>);
    let cases: [(&str, Change, &str); 5] = [
        (
            "files/GomenHashai-v1.3.1.sigstore",
            &|b: &mut Vec<u8>| {
                // A byte of the signature's base64 (the last "signature" value).
                let at = find(b, b"\"sig\":\"").expect("a DSSE signature") + 10;
                b[at] = if b[at] == b'A' { b'B' } else { b'A' };
            },
            "image.bundle",
        ),
        (
            &attached_bundle,
            &|b: &mut Vec<u8>| b.extend_from_slice(b" "),
            "image.registry-attestation",
        ),
        (
            &image,
            &|b: &mut Vec<u8>| b.extend_from_slice(b"\n"),
            "image.registry-digest",
        ),
        // Changed so that they no longer parse: still present-but-wrong, never "could not run".
        (
            &image,
            &|b: &mut Vec<u8>| b[0] = b'x',
            "image.registry-digest",
        ),
        (
            &referrers,
            &|b: &mut Vec<u8>| b.truncate(b.len() / 2),
            "image.registry-attestation",
        ),
    ];
    for (file, change, id) in cases {
        let kit = KitCopy::new("registry-file");
        let path = kit.file(file);
        let mut bytes = std::fs::read(&path).unwrap();
        change(&mut bytes);
        std::fs::write(&path, &bytes).unwrap();
        let out = verify(&kit.path, true);
        assert_eq!(code(&out), 1, "{file}\n{}\n{}", stdout(&out), stderr(&out));
        let cs = checks(&out);
        assert_eq!(check(&cs, id)["outcome"], "fail", "{file}: {cs:#?}");
        assert!(
            !cs.iter()
                .any(|c| c["outcome"] == "not-run" && c["id"] == id),
            "{file}"
        );
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

// --- Defect 4: ambiguous releases and kits.

/// An index listing gomenhashai 1.3.2 twice, the second time with another digest and URL:
/// chart.index-digest fails naming both entries (Helm may install either).
#[test]
fn an_index_listing_the_release_twice_fails_index_digest_naming_both() {
    let kit = KitCopy::new("index-twice");
    let path = kit.file("files/index.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    // The 1.3.2 entry, copied with another digest and URL.
    let v = text.find("    version: 1.3.2\n").expect("the 1.3.2 entry");
    let start = text[..v].rfind("\n  - ").expect("the 1.3.2 entry's start") + 1;
    let end = text[start + 4..]
        .find("\n  - ")
        .map(|e| start + 4 + e + 1)
        .unwrap_or(text.len());
    let entry = &text[start..end];
    assert!(entry.contains("version: 1.3.2\n"), "{entry}");
    let evil = entry
        .replace(
            "9dfb23f36a9cc04154d184deeefb9cab539fc57e0b49cb14fcdeca7cb97fbbd0",
            "abababababababababababababababababababababababababababababababab",
        )
        .replace(
            "https://github.com/GomenHashai/",
            "https://evil.example/GomenHashai/",
        );
    let mut tampered = text.clone();
    tampered.insert_str(end, &evil);
    std::fs::write(&path, &tampered).unwrap();
    let out = verify(&kit.path, true);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let cs = checks(&out);
    let c = check(&cs, "chart.index-digest");
    assert_eq!(c["outcome"], "fail", "{c:#}");
    let found = c["found"].as_str().unwrap();
    assert!(
        found.starts_with("chart gomenhashai 1.3.2: the index lists it 2 times, differently: #1 digest 9dfb23f3")
            && found.contains("#2 digest abababababababababababababababababababababababababababababababab, urls [https://evil.example/GomenHashai/"),
        "{found}"
    );
}

/// A kit.json listing a URL twice, or a key twice, or a single-file role twice: an input
/// error (exit 2) naming it, before anything is verified.
#[test]
fn a_kit_json_listing_a_url_role_or_key_twice_is_an_input_error() {
    // The chart's URL twice: the second time for another file.
    let kit = KitCopy::new("url-twice");
    let mut m = kit.kit_json();
    let files = m["files"].as_array_mut().unwrap();
    let mut other = files.iter().find(|f| f["role"] == "chart").unwrap().clone();
    other["path"] = "files/evil.tgz".into();
    other["role"] = "attached-blob".into();
    files.push(other);
    kit.write_kit_json(&m);
    std::fs::copy(
        kit.file("files/gomenhashai-1.3.2.tgz"),
        kit.file("files/evil.tgz"),
    )
    .unwrap();
    let out = verify(&kit.path, false);
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("URL https://github.com/GomenHashai/GomenHashai/releases/download/gomenhashai-1.3.2/gomenhashai-1.3.2.tgz is listed twice"),
        "{}",
        stderr(&out)
    );

    // A single-file role twice.
    let kit = KitCopy::new("role-twice");
    let mut m = kit.kit_json();
    let files = m["files"].as_array_mut().unwrap();
    for f in files.iter_mut() {
        if f["role"] == "image-bundle" {
            f["role"] = "chart-bundle".into();
        }
    }
    kit.write_kit_json(&m);
    let out = verify(&kit.path, false);
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("role chart-bundle is listed twice"),
        "{}",
        stderr(&out)
    );

    // A key twice (the second "digest" would be the one a last-wins parser keeps).
    let kit = KitCopy::new("key-twice");
    let text = std::fs::read_to_string(kit.file("kit.json")).unwrap();
    let text = text.replacen(
        "\"role\": \"chart\",",
        "\"role\": \"chart\",\n      \"digest\": \"sha256:1111111111111111111111111111111111111111111111111111111111111111\",",
        1,
    );
    std::fs::write(kit.file("kit.json"), text).unwrap();
    let out = verify(&kit.path, false);
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("key \"digest\" appears twice in the object at $.files[3]"),
        "{}",
        stderr(&out)
    );
}

/// A kit.json, or a kit file, that is a symbolic link leading out of the kit: an input error
/// (exit 2) naming it — the kit would otherwise vouch for a file of the machine it is read on.
#[test]
fn a_kit_json_or_kit_file_linking_outside_the_kit_is_an_input_error() {
    // kit.json a link to a (whole, valid) kit.json elsewhere.
    let kit = KitCopy::new("json-link");
    let outside = TempDir::new("json-link-target");
    std::fs::rename(kit.file("kit.json"), outside.path().join("kit.json")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("kit.json"), kit.file("kit.json")).unwrap();
    let out = verify(&kit.path, false);
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("kit.json: expected a regular file, found a symbolic link"),
        "{}",
        stderr(&out)
    );

    // A listed file a link to a file outside (here: the same bytes, so only the link is wrong).
    let kit = KitCopy::new("file-link");
    let outside = TempDir::new("file-link-target");
    let target = outside.path().join("list");
    std::fs::rename(kit.file("files/list"), &target).unwrap();
    std::os::unix::fs::symlink(&target, kit.file("files/list")).unwrap();
    let out = verify(&kit.path, false);
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("files/list: expected a regular file, found a symbolic link"),
        "{}",
        stderr(&out)
    );
}

/// A kit file that is a FIFO is named as one (exit 2), and opening the kit does not block on it.
#[test]
fn a_kit_file_that_is_a_fifo_is_named_as_one() {
    let kit = KitCopy::new("file-fifo");
    std::fs::remove_file(kit.file("files/list")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(kit.file("files/list"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let out = verify(&kit.path, false);
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("files/list: expected a regular file, found a FIFO (named pipe)"),
        "{}",
        stderr(&out)
    );
}
