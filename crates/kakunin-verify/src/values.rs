//! Helm values that pin a verified release's image by digest (`kakunin verify --emit-values`),
//! for `helm install -f FILE` without a post-renderer.
//!
//! Guarantees: values come only from a report whose verdict is verified, from the image the
//! release checks verified (the report's `image` details: the chart's `values.yaml` block and
//! the reference it names, digest included); a release whose image is not in a `values.yaml`
//! block, or not pinned by digest, yields an error, never values without a digest.

use serde_json::{Value, json};

use crate::report::{Report, Verdict};

/// The values of one verified release: `{<block path>: {repository, tag, digest}}`.
pub fn pin_values(report: &Report) -> Result<Value, String> {
    if report.verdict() != Verdict::Verified {
        return Err(format!(
            "{} is not verified: no values written",
            report.subject
        ));
    }
    let image = report
        .details
        .get("image")
        .ok_or_else(|| format!("{}: the report names no image", report.subject))?;
    let source = image["source"].as_str().unwrap_or_default();
    let path = source.strip_prefix("values.yaml ").ok_or_else(|| {
        format!(
            "{}: the image comes from {source}, not from a values.yaml block that values can set",
            report.subject
        )
    })?;
    let reference = image["reference"].as_str().unwrap_or_default();
    let (name, digest) = reference.split_once('@').ok_or_else(|| {
        format!(
            "{}: the chart pins no digest for {reference}: nothing verified to pin",
            report.subject
        )
    })?;
    let slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (repository, tag) = match name[slash..].rfind(':') {
        Some(c) => (&name[..slash + c], Some(&name[slash + c + 1..])),
        None => (name, None),
    };
    let mut block = json!({"repository": repository, "digest": digest});
    if let Some(t) = tag {
        block["tag"] = json!(t);
    }
    let mut value = block;
    for key in path.rsplit('.') {
        value = json!({ key: value });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Check;

    fn report(reference: &str, source: &str, pass: bool) -> Report {
        let mut r = Report::new("verify", "gomenhashai@1.3.2");
        r.checks.push(if pass {
            Check::pass("image.reference", "t", "e", "f")
        } else {
            Check::fail("image.reference", "t", "e", "f")
        });
        r.details = json!({"image": {"reference": reference, "source": source}});
        r
    }

    #[test]
    fn a_verified_pinned_image_becomes_its_values_block() {
        let d = "sha256:75dec07996b338ba12d6986657a22ac560d7b3a4712fb53a4ab02f1aeca9b4d8";
        let v = pin_values(&report(
            &format!("ghcr.io/gomenhashai/gomenhashai:v1.3.1@{d}"),
            "values.yaml image",
            true,
        ))
        .unwrap();
        assert_eq!(
            v,
            json!({"image": {"repository": "ghcr.io/gomenhashai/gomenhashai", "tag": "v1.3.1", "digest": d}})
        );
        let v = pin_values(&report(
            &format!("localhost:5000/x@{d}"),
            "values.yaml webhook.image",
            true,
        ))
        .unwrap();
        assert_eq!(
            v,
            json!({"webhook": {"image": {"repository": "localhost:5000/x", "digest": d}}})
        );
    }

    #[test]
    fn nothing_is_emitted_for_a_failed_unpinned_or_annotation_image() {
        let d = "sha256:75dec07996b338ba12d6986657a22ac560d7b3a4712fb53a4ab02f1aeca9b4d8";
        let e = pin_values(&report(&format!("r/x:1@{d}"), "values.yaml image", false)).unwrap_err();
        assert!(e.contains("not verified"), "{e}");
        let e = pin_values(&report("r/x:1", "values.yaml image", true)).unwrap_err();
        assert!(e.contains("pins no digest"), "{e}");
        let e = pin_values(&report(
            &format!("r/x:1@{d}"),
            "Chart.yaml annotation artifacthub.io/images \"x\"",
            true,
        ))
        .unwrap_err();
        assert!(e.contains("not from a values.yaml block"), "{e}");
    }
}
