//! Writing a set of release files all-or-nothing.
//!
//! Guarantee: after [`write_verified`] returns, either every file is in place under its final
//! name, with exactly the bytes given, and the caller's verification accepted the bytes read
//! back from disk; or none of the final names was created (temporary files are removed, and a
//! final name already renamed into place is removed again if a later one fails). Existing
//! files are never overwritten unless the caller allows it; then a failure can leave the old
//! file replaced, so publishing refuses existing targets by default.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a set of files could not be written. Nothing under a final name was left behind.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path} already exists (expected a new file; remove it or choose another --out)")]
    Exists { path: PathBuf },
    #[error("--out {path}: expected a directory, found a file")]
    NotADirectory { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("what was written does not verify, so nothing was kept: {0}")]
    Verify(String),
}

/// The output directory of a publish: created (with its missing parents) when it does not
/// exist, and removed again, as far as this created it and it is still empty, unless
/// [`OutDir::keep`] is called. An existing path that is not a directory is refused.
#[derive(Debug)]
pub struct OutDir {
    /// The directories this created, deepest first.
    created: Vec<PathBuf>,
    kept: bool,
}

impl OutDir {
    /// Makes sure `dir` is a directory, creating what is missing of it.
    pub fn prepare(dir: &Path) -> Result<OutDir, WriteError> {
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {
                return Ok(OutDir {
                    created: Vec::new(),
                    kept: false,
                });
            }
            Ok(_) => return Err(WriteError::NotADirectory { path: dir.into() }),
            Err(_) => {}
        }
        let mut missing = Vec::new();
        let mut cur = Some(dir);
        while let Some(d) = cur {
            if d.as_os_str().is_empty() || d.symlink_metadata().is_ok() {
                break;
            }
            missing.push(d.to_path_buf());
            cur = d.parent();
        }
        let mut out = OutDir {
            created: Vec::new(),
            kept: false,
        };
        for d in missing.iter().rev() {
            match std::fs::create_dir(d) {
                Ok(()) => out.created.insert(0, d.clone()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && d.is_dir() => {}
                Err(source) => {
                    return Err(WriteError::Io {
                        path: d.clone(),
                        source,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Whether this created the directory.
    pub fn created(&self) -> bool {
        !self.created.is_empty()
    }

    /// Keeps the directories (the publish succeeded).
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        if !self.kept {
            for d in &self.created {
                // Only empty directories go: remove_dir refuses anything else.
                let _ = std::fs::remove_dir(d);
            }
        }
    }
}

/// Writes `files` (final path, bytes) all-or-nothing, refusing to replace existing files.
pub fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<(), WriteError> {
    write_verified(files, false, |_| Ok(()))
}

/// Writes `files` to temporary names in their directories, calls `verify` with the
/// temporary paths (same order), then renames them into place. On any failure the set is
/// removed (see the module documentation).
pub fn write_verified(
    files: &[(PathBuf, Vec<u8>)],
    overwrite: bool,
    verify: impl FnOnce(&[PathBuf]) -> Result<(), String>,
) -> Result<(), WriteError> {
    let staged = Staged::new(files, overwrite)?;
    verify(staged.temp_paths()).map_err(WriteError::Verify)?;
    staged.commit()
}

/// A set of files written under temporary names, not yet in place. Dropping it removes them;
/// [`Staged::commit`] renames them all into place (or none).
#[derive(Debug)]
pub struct Staged {
    finals: Vec<PathBuf>,
    temps: Vec<PathBuf>,
    overwrite: bool,
    committed: bool,
}

impl Staged {
    /// Writes every file under its temporary name (synced), refusing existing final names
    /// unless `overwrite`.
    pub fn new(files: &[(PathBuf, Vec<u8>)], overwrite: bool) -> Result<Staged, WriteError> {
        if !overwrite {
            if let Some((path, _)) = files.iter().find(|(p, _)| p.symlink_metadata().is_ok()) {
                return Err(WriteError::Exists { path: path.clone() });
            }
        }
        let mut staged = Staged {
            finals: files.iter().map(|(p, _)| p.clone()).collect(),
            temps: Vec::with_capacity(files.len()),
            overwrite,
            committed: false,
        };
        for (path, bytes) in files {
            let tmp = temp_name(path);
            staged.temps.push(tmp.clone());
            write_synced(&tmp, bytes).map_err(|source| WriteError::Io { path: tmp, source })?;
        }
        Ok(staged)
    }

    /// The temporary paths, in the order the files were given.
    pub fn temp_paths(&self) -> &[PathBuf] {
        &self.temps
    }

    /// Renames every file into place; on failure, removes what was placed and the rest.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let mut placed: Vec<PathBuf> = Vec::with_capacity(self.finals.len());
        let cleanup = |paths: &[PathBuf]| {
            for p in paths {
                let _ = std::fs::remove_file(p);
            }
        };
        for (path, tmp) in self.finals.iter().zip(&self.temps) {
            if !self.overwrite && path.symlink_metadata().is_ok() {
                cleanup(&placed);
                return Err(WriteError::Exists { path: path.clone() });
            }
            if let Err(source) = std::fs::rename(tmp, path) {
                cleanup(&placed);
                return Err(WriteError::Io {
                    path: path.clone(),
                    source,
                });
            }
            placed.push(path.clone());
        }
        self.committed = true;
        if let Some(dir) = self.finals.first().and_then(|p| p.parent()) {
            // Make the renames durable; a directory that cannot be synced is not an error.
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            for p in &self.temps {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

/// `.<name>.kakunin-tmp-<pid>` next to `path`: hidden, and never a name a release file has.
fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.kakunin-tmp-{}", std::process::id()))
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kakunin-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_every_file_after_verification() {
        let d = dir("ok");
        let files = vec![(d.join("a"), b"1".to_vec()), (d.join("b"), b"2".to_vec())];
        write_verified(&files, false, |tmps| {
            assert_eq!(std::fs::read(&tmps[1]).unwrap(), b"2");
            Ok(())
        })
        .unwrap();
        assert_eq!(names(&d), ["a", "b"]);
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn a_failed_verification_leaves_nothing() {
        let d = dir("verify");
        let files = vec![(d.join("a"), b"1".to_vec()), (d.join("b"), b"2".to_vec())];
        let e = write_verified(&files, false, |_| Err("bad signature".into())).unwrap_err();
        assert!(e.to_string().contains("bad signature"), "{e}");
        assert!(names(&d).is_empty(), "{:?}", names(&d));
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn an_existing_target_is_refused_and_kept() {
        let d = dir("exists");
        std::fs::write(d.join("b"), b"old").unwrap();
        let files = vec![(d.join("a"), b"1".to_vec()), (d.join("b"), b"2".to_vec())];
        let e = write_all(&files).unwrap_err();
        assert!(matches!(e, WriteError::Exists { .. }), "{e}");
        assert_eq!(names(&d), ["b"]);
        assert_eq!(std::fs::read(d.join("b")).unwrap(), b"old");
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn a_missing_out_dir_is_created_and_removed_again_unless_kept() {
        let d = dir("outdir");
        let out = d.join("a/b");
        let guard = OutDir::prepare(&out).unwrap();
        assert!(guard.created() && out.is_dir());
        drop(guard);
        assert!(names(&d).is_empty(), "{:?}", names(&d));
        OutDir::prepare(&out).unwrap().keep();
        assert!(out.is_dir());
        let existing = OutDir::prepare(&out).unwrap();
        assert!(!existing.created());
        drop(existing);
        assert!(out.is_dir());
        std::fs::write(d.join("file"), b"x").unwrap();
        let e = OutDir::prepare(&d.join("file")).unwrap_err();
        assert!(matches!(e, WriteError::NotADirectory { .. }), "{e}");
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn an_unwritable_directory_leaves_nothing() {
        let d = dir("missing");
        let files = vec![
            (d.join("a"), b"1".to_vec()),
            (d.join("no/such/dir/b"), b"2".to_vec()),
        ];
        let e = write_all(&files).unwrap_err();
        assert!(matches!(e, WriteError::Io { .. }), "{e}");
        assert!(names(&d).is_empty(), "{:?}", names(&d));
        std::fs::remove_dir_all(d).unwrap();
    }
}
