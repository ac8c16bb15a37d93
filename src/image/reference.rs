//! The `REF` argument of `verify-image`: `registry/repo:tag`, `registry/repo@sha256:…`, or
//! `oci-layout:DIR[:TAG|@sha256:…]`.

use std::path::PathBuf;

use crate::digest::Digest;
use crate::registry::Repo;

/// A tag or a digest within a repository or layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Tag(String),
    Digest(Digest),
}

/// Where the image is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    Registry { repo: Repo, target: Target },
    Layout { dir: PathBuf, target: Target },
}

const LAYOUT_PREFIX: &str = "oci-layout:";

/// Parses `REF`. A registry reference without a tag or digest is refused (the tag to resolve
/// must be named, `latest` is not assumed); a layout without one means the tag `latest`, as
/// skopeo writes `oci:DIR` without a tag.
pub fn parse_reference(s: &str) -> Result<ImageRef, String> {
    if let Some(rest) = s.strip_prefix(LAYOUT_PREFIX) {
        if rest.is_empty() {
            return Err(format!(
                "expected oci-layout:DIR[:TAG|@sha256:…], found {s:?}"
            ));
        }
        if let Some((dir, d)) = rest.rsplit_once('@') {
            let digest = d
                .parse::<Digest>()
                .map_err(|e| format!("{s:?}: digest {d:?}: {e}"))?;
            return Ok(ImageRef::Layout {
                dir: dir.into(),
                target: Target::Digest(digest),
            });
        }
        // DIR:TAG — the tag is after the last ':' when it holds no '/'.
        if let Some((dir, tag)) = rest.rsplit_once(':')
            && !tag.contains('/')
            && !dir.is_empty()
        {
            if tag.is_empty() {
                return Err(format!("{s:?}: empty tag"));
            }
            return Ok(ImageRef::Layout {
                dir: dir.into(),
                target: Target::Tag(tag.into()),
            });
        }
        return Ok(ImageRef::Layout {
            dir: rest.into(),
            target: Target::Tag("latest".into()),
        });
    }
    let parsed: oci_client::Reference = s
        .parse()
        .map_err(|e| format!("{s:?} is not an image reference: {e}"))?;
    let repo = Repo::of(&parsed);
    let target = match (parsed.digest(), parsed.tag()) {
        (Some(d), _) => Target::Digest(
            d.parse::<Digest>()
                .map_err(|e| format!("{s:?}: digest {d:?}: {e}"))?,
        ),
        (None, Some(t)) if s.ends_with(&format!(":{t}")) => Target::Tag(t.to_string()),
        _ => {
            return Err(format!(
                "{s:?} names no tag or digest: give registry/repo:TAG or registry/repo@sha256:…"
            ));
        }
    };
    Ok(ImageRef::Registry { repo, target })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        let d = format!("sha256:{}", "a".repeat(64));
        match parse_reference(&format!("ghcr.io/o/r@{d}")).unwrap() {
            ImageRef::Registry { repo, target } => {
                assert_eq!(repo.registry, "ghcr.io");
                assert_eq!(repo.repository, "o/r");
                assert_eq!(target, Target::Digest(d.parse().unwrap()));
            }
            other => panic!("{other:?}"),
        }
        match parse_reference("127.0.0.1:5000/o/r:v1").unwrap() {
            ImageRef::Registry { repo, target } => {
                assert_eq!(repo.registry, "127.0.0.1:5000");
                assert_eq!(target, Target::Tag("v1".into()));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_reference("oci-layout:/tmp/x:v1").unwrap(),
            ImageRef::Layout {
                dir: "/tmp/x".into(),
                target: Target::Tag("v1".into())
            }
        );
        assert_eq!(
            parse_reference(&format!("oci-layout:rel/dir@{d}")).unwrap(),
            ImageRef::Layout {
                dir: "rel/dir".into(),
                target: Target::Digest(d.parse().unwrap())
            }
        );
        assert_eq!(
            parse_reference("oci-layout:/tmp/x").unwrap(),
            ImageRef::Layout {
                dir: "/tmp/x".into(),
                target: Target::Tag("latest".into())
            }
        );
        for bad in [
            "ghcr.io/o/r",
            "oci-layout:",
            "ghcr.io/o/r@sha256:zz",
            "Not A Ref",
        ] {
            assert!(parse_reference(bad).is_err(), "{bad}");
        }
    }
}
