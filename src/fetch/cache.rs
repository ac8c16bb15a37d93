//! The download cache: content-addressed by sha256, in the user's cache directory.
//!
//! Guarantees: an entry is written to a temporary file in the cache and renamed into place, so
//! readers never see a partial entry; an entry is re-hashed every time it is read, and one whose
//! bytes do not hash to its name (a corrupt or truncated file) is deleted and reported as a miss,
//! so it gets fetched again. What the cache serves is only bytes: it never makes anything
//! verified. A URL maps to the digest of what it last served (`urls/`), which lets `--offline`
//! and immutable files (release assets, blobs by digest) skip the network.
//!
//! Cache entries are not flushed to the disk (no fsync): an entry that a crash truncated or
//! emptied is caught by the re-hash above (a blob) or by its own content (a URL record names
//! the digest and the URL; anything else is a miss), so durability would only cost time, a
//! flush per file fetched. A record that already says what a fetch found is not written again,
//! so a warm run writes nothing. Files written for the user (kits, OCI layouts) are flushed
//! ([`write_atomic`]).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::digest::{Algorithm, Digest};

/// The cache directory and its operations. Every failure to read or write the cache degrades to
/// "not cached": a broken cache never breaks a run that can fetch.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// `$KAKUNIN_CACHE_DIR`, else `$XDG_CACHE_HOME/kakunin`, else `$HOME/.cache/kakunin`.
pub fn default_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("KAKUNIN_CACHE_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(d));
    }
    Some(user_cache_dir()?.join("kakunin"))
}

/// The user's cache directory, resolved once per process by `etcetera`'s base strategy: on
/// Linux, macOS and the other Unixes the XDG base directory specification (`$XDG_CACHE_HOME`
/// when set to an absolute path, a relative one being invalid and ignored, else
/// `$HOME/.cache`), on Windows the local application data folder. Every cache kakunin keeps
/// (fetched files, refreshed trusted roots) is under it. `None` when there is no home
/// directory (or only a relative one).
pub fn user_cache_dir() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        use etcetera::BaseStrategy;
        let strategy = etcetera::choose_base_strategy().ok()?;
        Some(strategy.cache_dir()).filter(|d| d.is_absolute())
    })
    .clone()
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn blob_path(&self, d: &Digest) -> PathBuf {
        self.dir
            .join("blobs")
            .join(d.algorithm().name())
            .join(d.hex())
    }

    fn url_path(&self, url: &str) -> PathBuf {
        self.dir
            .join("urls")
            .join(Digest::sha256(url.as_bytes()).hex())
    }

    /// The bytes stored under a digest, if present and intact (at most `cap` bytes).
    pub fn get(&self, digest: &Digest, cap: u64) -> Option<Vec<u8>> {
        let path = self.blob_path(digest);
        let bytes = crate::limits::read_file_capped(&path, cap).ok()?;
        if &Digest::of_bytes(digest.algorithm(), &bytes) == digest {
            Some(bytes)
        } else {
            // Corrupt or partial: never serve it, drop it so it is fetched again.
            let _ = std::fs::remove_file(&path);
            None
        }
    }

    /// The digest a URL last served, if recorded.
    pub fn url_digest(&self, url: &str) -> Option<Digest> {
        let text = crate::limits::read_file_capped(&self.url_path(url), 64 * 1024).ok()?;
        let text = String::from_utf8(text).ok()?;
        let mut lines = text.lines();
        let digest = lines.next()?.parse().ok()?;
        // The URL is stored too, so a hash collision of names cannot alias two URLs.
        (lines.next()? == url).then_some(digest)
    }

    /// The bytes a URL last served, if recorded and intact.
    pub fn get_url(&self, url: &str, cap: u64) -> Option<(Vec<u8>, Digest)> {
        let d = self.url_digest(url)?;
        self.get(&d, cap).map(|b| (b, d))
    }

    /// Stores bytes under their sha256 (and records that `url` served them). Errors are
    /// returned for the caller to ignore or report; the cache stays consistent either way.
    pub fn put(&self, bytes: &[u8], url: Option<&str>) -> std::io::Result<Digest> {
        let digest = Digest::of_bytes(Algorithm::Sha256, bytes);
        self.store(&digest, bytes)?;
        if let Some(url) = url
            && self.url_digest(url).as_ref() != Some(&digest)
        {
            let record = format!("{digest}\n{url}\n");
            write_replacing(&self.url_path(url), record.as_bytes(), Flush::No)?;
        }
        Ok(digest)
    }

    /// Stores bytes a URL that names their digest served (a registry's manifest or blob by
    /// digest), under that digest only, and only if they hash to it. No URL record is kept:
    /// every lookup of such a URL asks the cache by its digest. Returns whether they did.
    pub fn put_addressed(&self, bytes: &[u8], digest: &Digest) -> std::io::Result<bool> {
        if &Digest::of_bytes(digest.algorithm(), bytes) != digest {
            return Ok(false);
        }
        self.store(digest, bytes)?;
        Ok(true)
    }

    /// Writes the blob of `digest` (which `bytes` hash to) unless an intact one is there.
    fn store(&self, digest: &Digest, bytes: &[u8]) -> std::io::Result<()> {
        if self.get(digest, bytes.len() as u64).is_none() {
            write_replacing(&self.blob_path(digest), bytes, Flush::No)?;
        }
        Ok(())
    }
}

/// Writes a file by writing a temporary file next to it, flushing it to the disk and renaming
/// it into place: a reader sees the old file or the whole new one, and after a crash the new
/// one is whole. For what kakunin writes for the user (kits, OCI layouts).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_replacing(path, bytes, Flush::Yes)
}

/// Whether a replacing write waits for the disk (fsync) before the rename.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flush {
    Yes,
    No,
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so that a
/// reader never sees a partial file; with [`Flush::Yes`], flushed to the disk first.
fn write_replacing(path: &Path, bytes: &[u8], flush: Flush) -> std::io::Result<()> {
    use std::io::Write;
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".tmp-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        path.file_name().and_then(|n| n.to_str()).unwrap_or("f")
    ));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        if flush == Flush::Yes {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_entries_are_dropped_not_served() {
        let dir = std::env::temp_dir().join(format!("kakunin-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = Cache::new(&dir);
        let d = cache.put(b"hello", Some("https://x.test/a")).unwrap();
        assert_eq!(cache.get(&d, 100).unwrap(), b"hello");
        assert_eq!(cache.get_url("https://x.test/a", 100).unwrap().0, b"hello");
        assert!(cache.get_url("https://x.test/b", 100).is_none());
        // Truncate the entry behind the cache's back.
        std::fs::write(cache.blob_path(&d), b"hel").unwrap();
        assert!(cache.get(&d, 100).is_none());
        assert!(!cache.blob_path(&d).exists(), "corrupt entry removed");
        // Too large for the cap: not served.
        cache.put(b"hello", None).unwrap();
        assert!(cache.get(&d, 3).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// What a crash can leave of an unflushed entry (an empty or cut file) is a miss, and a URL
    /// record that already says what was fetched is not written again (a warm run writes
    /// nothing); a URL that now serves other bytes is recorded anew.
    #[test]
    fn unflushed_entries_fail_closed_and_warm_puts_write_nothing() {
        use std::os::unix::fs::MetadataExt;
        let dir = std::env::temp_dir().join(format!("kakunin-cache-w-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = Cache::new(&dir);
        let url = "https://x.test/tag";
        let d = cache.put(b"one", Some(url)).unwrap();
        let record = cache.url_path(url);
        let inode = std::fs::metadata(&record).unwrap().ino();
        assert_eq!(cache.put(b"one", Some(url)).unwrap(), d);
        assert_eq!(
            std::fs::metadata(&record).unwrap().ino(),
            inode,
            "rewritten"
        );
        let other = cache.put(b"two", Some(url)).unwrap();
        assert_eq!(cache.url_digest(url), Some(other));
        for cut in [
            &b""[..],
            &format!("{d}\n").into_bytes()[..],
            &b"sha256:ab"[..],
        ] {
            std::fs::write(&record, cut).unwrap();
            assert!(cache.get_url(url, 100).is_none(), "{cut:?}");
        }
        std::fs::write(cache.blob_path(&d), b"").unwrap();
        assert!(cache.get(&d, 100).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// What a digest-named URL served is kept under that digest only, and only when it is
    /// those bytes; no URL record is written for it.
    #[test]
    fn addressed_entries_are_kept_by_digest_only() {
        let dir = std::env::temp_dir().join(format!("kakunin-cache-a-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = Cache::new(&dir);
        let d = Digest::sha256(b"manifest");
        assert!(!cache.put_addressed(b"other bytes", &d).unwrap());
        assert!(cache.get(&d, 100).is_none());
        assert!(cache.get(&Digest::sha256(b"other bytes"), 100).is_none());
        assert!(cache.put_addressed(b"manifest", &d).unwrap());
        assert_eq!(cache.get(&d, 100).unwrap(), b"manifest");
        assert!(!dir.join("urls").exists(), "no URL record");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
