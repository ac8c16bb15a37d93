//! openssl run in a test's own directory, for the keys and signatures kakunin's signer does not
//! make (other curves, raw ECDSA over a file with a chosen hash, a leaf issued from a test CA).
//! [`succeeds`] and [`ec_key`] say whether openssl ran and succeeded, so that a test can skip
//! where this machine's openssl cannot make what it asks; [`must`] and [`sign`] panic where it
//! fails, naming the command and openssl's error.

use std::path::Path;
use std::process::Command;

/// Runs `openssl ARGS` in `dir`: whether it ran and exited 0.
pub fn succeeds(dir: &Path, args: &[&str]) -> bool {
    run(dir, args).is_ok()
}

/// Runs `openssl ARGS` in `dir`; panics, naming the command and openssl's error, unless it ran
/// and exited 0.
pub fn must(dir: &Path, args: &[&str]) {
    if let Err(e) = run(dir, args) {
        panic!("openssl {}: {e}", args.join(" "));
    }
}

fn run(dir: &Path, args: &[&str]) -> Result<(), String> {
    match Command::new("openssl").args(args).current_dir(dir).output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(String::from_utf8_lossy(&o.stderr).into_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// Makes an EC private key of `curve` (openssl's name: `prime256v1`, `secp384r1`) as SEC1 PEM
/// at `dir/key`, and with `public`, its SubjectPublicKeyInfo PEM at `dir/public`: whether both
/// were made.
pub fn ec_key(dir: &Path, curve: &str, key: &str, public: Option<&str>) -> bool {
    succeeds(
        dir,
        &["ecparam", "-name", curve, "-genkey", "-noout", "-out", key],
    ) && public.is_none_or(|p| succeeds(dir, &["ec", "-in", key, "-pubout", "-out", p]))
}

/// Signs `dir/file` with the private key `dir/key` over its `hash` (`sha256`, `sha384`), as
/// `openssl dgst -HASH -sign` does (a DER ECDSA signature); the signature and the file's
/// digest by `hash`. Panics, naming the command and openssl's error, where openssl fails.
pub fn sign(dir: &Path, key: &str, hash: &str, file: &str) -> (Vec<u8>, Vec<u8>) {
    let (sig, digest) = (format!("{file}.{hash}.sig"), format!("{file}.{hash}"));
    let dgst = format!("-{hash}");
    must(dir, &["dgst", &dgst, "-sign", key, "-out", &sig, file]);
    must(dir, &["dgst", &dgst, "-binary", "-out", &digest, file]);
    (
        std::fs::read(dir.join(sig)).unwrap(),
        std::fs::read(dir.join(digest)).unwrap(),
    )
}
