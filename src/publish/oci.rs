//! Publishing to an OCI registry: a chart pushed as `helm push` lays it out, and a chart's or
//! image's signature and provenance attached as Sigstore bundles in OCI referrers (cosign v3's
//! layout), optionally also in cosign's legacy `sha256-<hex>.sig` / `.att` tags.
//!
//! Guarantees:
//! - a chart tag that holds another chart (another chart layer) is never replaced unless the
//!   caller says so ([`Target::replace_tag`]); one holding this chart is reused as it is, so
//!   its manifest digest is what is signed;
//! - everything is signed before anything is pushed (a signing failure leaves the registry
//!   untouched), and every push is recorded: a failure names what was left in the registry
//!   ([`OciError::pushed`]);
//! - [`Pushed`] exists only after what the registry serves was read back and verified by
//!   kakunin's own `verify-image` ([`crate::image::verify`]) for the expected signer: a
//!   signature of the manifest digest and a SLSA provenance v1 attestation of it, each in every
//!   form that was pushed (referrer bundles; `.sig` and `.att` layers with `legacy`), and for a
//!   chart, the chart layer read back by its digest being the package's bytes.

use std::collections::BTreeMap;

use base64::Engine;

use crate::bundle::{Policy, danger};
use crate::digest::Digest;
use crate::fetch::push::{CosignLayerOut, OCI_MANIFEST, Referrer, Subject};
use crate::registry::{RegistryClient, Repo};
use crate::trust::Trust;

use super::helm_oci::ChartArtifact;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// cosign v3's image-signature predicate.
pub const COSIGN_SIGN_V1: &str = "https://sigstore.dev/cosign/sign/v1";
/// The payload type of cosign's `.sig` layers.
pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The media type of cosign's `.att` layers.
pub const DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";

/// Where and how to publish in a registry.
pub struct Target {
    pub client: RegistryClient,
    pub repo: Repo,
    /// Also write cosign's legacy `.sig` and `.att` tags.
    pub legacy_cosign: bool,
    /// Charts: replace a version tag that holds another chart (`--replace-tag`).
    pub replace_tag: bool,
}

/// What was published in the registry and read back verified.
#[derive(Debug, Clone)]
pub struct Pushed {
    /// `registry/repository`.
    pub repository: String,
    /// The manifest that was signed (the chart's, or the image's).
    pub manifest: Digest,
    /// The chart's version tag, when a chart was pushed; whether it already held this chart.
    pub tag: Option<(String, bool)>,
    /// The referrers attached: what each carries, and where.
    pub referrers: Vec<(String, Referrer)>,
    /// cosign's legacy tags written (`sha256-<hex>.sig`, `.att`).
    pub legacy_tags: Vec<String>,
    /// What `verify-image` accepted when reading it all back.
    pub verified: Vec<String>,
}

/// A registry step failed; `pushed` is what was already in the registry because of this
/// publish (nothing of it is claimed verified).
#[derive(Debug, thiserror::Error)]
#[error("{reason}{}", if pushed.is_empty() { "; nothing was pushed".to_string() } else { format!("; left in the registry: {}", pushed.join(", ")) })]
pub struct OciError {
    pub reason: String,
    pub pushed: Vec<String>,
    /// What was read back did not verify (exit 1), rather than a registry failure (exit 3).
    pub verification: bool,
    /// An input error (exit 2): a tag holding another chart, say.
    pub input: bool,
}

impl OciError {
    fn registry(reason: impl std::fmt::Display, pushed: &[String]) -> OciError {
        OciError {
            reason: reason.to_string(),
            pushed: pushed.to_vec(),
            verification: false,
            input: false,
        }
    }
}

/// The chart to push, prepared before anything is signed: either a tag that already holds
/// this chart (its manifest is reused) or the artifact to push under the tag.
pub struct PreparedChart {
    pub tag: String,
    pub artifact: ChartArtifact,
    pub tgz: Vec<u8>,
    pub prov: Option<Vec<u8>>,
    /// The tag already holds this chart: this manifest, these bytes.
    pub existing: Option<(Vec<u8>, String)>,
}

impl PreparedChart {
    /// The subject that is signed: the manifest under the tag when it holds this chart, else
    /// the one that will be pushed.
    pub fn subject(&self) -> Subject {
        match &self.existing {
            Some((bytes, media_type)) => Subject {
                digest: Digest::sha256(bytes),
                media_type: media_type.clone(),
                size: bytes.len(),
            },
            None => Subject {
                digest: self.artifact.manifest_digest.clone(),
                media_type: OCI_MANIFEST.into(),
                size: self.artifact.manifest.len(),
            },
        }
    }
}

/// Checks the chart's version tag before anything is signed: absent (push), holding this
/// chart (reuse), or holding another chart (refused unless `replace_tag`).
pub async fn prepare_chart(
    target: &Target,
    artifact: ChartArtifact,
    tgz: Vec<u8>,
    prov: Option<Vec<u8>>,
) -> Result<PreparedChart, OciError> {
    // Helm's tag for a version: `+` is not allowed in a tag and becomes `_`.
    let tag = artifact.version.replace('+', "_");
    let existing = target
        .client
        .fresh_manifest(&target.repo, &tag)
        .await
        .map_err(|e| OciError::registry(format!("reading tag {tag}: {e}"), &[]))?;
    let tgz_digest = Digest::sha256(&tgz).to_string();
    let existing = match existing {
        None => None,
        Some((bytes, media_type)) => {
            let doc: Option<crate::registry::ManifestDoc> =
                crate::strict_json::from_slice(&bytes, crate::limits::MAX_MANIFEST_BYTES).ok();
            let layer = doc.as_ref().and_then(|d| {
                d.layers
                    .iter()
                    .find(|l| l.media_type == super::helm_oci::HELM_CHART_LAYER)
                    .map(|l| l.digest.clone())
            });
            let wanted_prov = prov.as_ref().map(|p| Digest::sha256(p).to_string());
            let has_prov = doc.as_ref().and_then(|d| {
                d.layers
                    .iter()
                    .find(|l| l.media_type == super::helm_oci::HELM_PROV_LAYER)
                    .map(|l| l.digest.clone())
            });
            let same = layer.as_deref() == Some(tgz_digest.as_str())
                && (wanted_prov.is_none() || has_prov == wanted_prov);
            if same {
                Some((bytes, media_type))
            } else if target.replace_tag {
                None
            } else {
                return Err(OciError {
                    reason: format!(
                        "{}:{tag}: expected the tag to be absent or to hold this chart (layer {tgz_digest}), found {} (manifest {}); --replace-tag replaces it",
                        target.repo,
                        layer.map_or("something that is not this chart".to_string(), |l| format!(
                            "another chart, layer {l}"
                        )),
                        Digest::sha256(&bytes)
                    ),
                    pushed: Vec::new(),
                    verification: false,
                    input: true,
                });
            }
        }
    };
    Ok(PreparedChart {
        tag,
        artifact,
        tgz,
        prov,
        existing,
    })
}

/// The statement cosign v3 signs for an image (`cosign sign`): the manifest digest as the only
/// subject, and its image-signature predicate type. cosign leaves the subject's name out;
/// here it is the repository, because sigstore-python refuses a subject without a name (cosign
/// and kakunin match on the digest alone).
pub fn signature_statement(repository: &str, digest: &Digest) -> Vec<u8> {
    serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{ "name": repository, "digest": { "sha256": digest.hex() }, "annotations": {} }],
        "predicateType": COSIGN_SIGN_V1,
    })
    .to_string()
    .into_bytes()
}

/// cosign's simple-signing payload for the `.sig` layer.
pub fn simple_signing_payload(repository: &str, digest: &Digest) -> Vec<u8> {
    serde_json::json!({
        "critical": {
            "identity": { "docker-reference": repository },
            "image": { "docker-manifest-digest": digest.to_string() },
            "type": "cosign container image signature",
        },
        "optional": null,
    })
    .to_string()
    .into_bytes()
}

/// The bundles signed for the registry, before anything is pushed.
pub struct Signed {
    /// DSSE, cosign sign/v1, subject the manifest.
    pub signature: Vec<u8>,
    /// DSSE, SLSA provenance v1, subject the manifest.
    pub provenance: Vec<u8>,
    /// With `legacy`: the simple-signing payload and its message-signature bundle.
    pub legacy_signature: Option<(Vec<u8>, Vec<u8>)>,
}

/// Pushes the chart (if `chart`), attaches `signed` to `subject`, and reads it all back
/// verified. `policy` is the signer the bundles must verify for; `ignore_tlog` when they were
/// signed with no log entry.
pub async fn publish(
    target: &Target,
    chart: Option<&PreparedChart>,
    subject: &Subject,
    signed: &Signed,
    trust: &Trust,
    policy: &Policy,
    ignore_tlog: Option<danger::IgnoreTlog>,
) -> Result<Pushed, OciError> {
    let mut pushed: Vec<String> = Vec::new();
    let tag = match chart {
        Some(c) => Some(push_chart(target, c, &mut pushed).await?),
        None => None,
    };
    let referrers = attach_referrers(target, subject, signed, &mut pushed).await?;
    let legacy_tags = if target.legacy_cosign {
        write_legacy(target, subject, signed, &mut pushed).await?
    } else {
        Vec::new()
    };
    // Read it all back, as a verifier would.
    if let (Some(c), Some((t, _))) = (chart, &tag) {
        read_back_chart(target, c, t, subject, &pushed).await?;
    }
    let verified = read_back_attached(
        target,
        subject,
        trust,
        policy,
        ignore_tlog,
        referrers.len(),
        &pushed,
    )
    .await?;
    Ok(Pushed {
        repository: target.repo.to_string(),
        manifest: subject.digest.clone(),
        tag,
        referrers,
        legacy_tags,
        verified,
    })
}

fn registry_failure(e: crate::fetch::FetchError, what: &str, pushed: &[String]) -> OciError {
    OciError::registry(format!("{what}: {e}"), pushed)
}

fn readback_failure(reason: String, pushed: &[String]) -> OciError {
    OciError {
        reason: format!("what the registry serves does not verify: {reason}"),
        pushed: pushed.to_vec(),
        verification: true,
        input: false,
    }
}

/// Pushes the chart's blobs and its manifest under the version tag, unless the tag already
/// holds this chart. Returns the tag and whether it already held it.
async fn push_chart(
    target: &Target,
    c: &PreparedChart,
    pushed: &mut Vec<String>,
) -> Result<(String, bool), OciError> {
    if c.existing.is_some() {
        return Ok((c.tag.clone(), true));
    }
    let (client, repo) = (&target.client, &target.repo);
    let mut blobs = vec![("chart config", &c.artifact.config[..])];
    if let Some(p) = &c.prov {
        blobs.push(("chart .prov", &p[..]));
    }
    blobs.push(("chart package", &c.tgz[..]));
    for (what, bytes) in blobs {
        let d = client
            .push_blob(repo, bytes)
            .await
            .map_err(|e| registry_failure(e, &format!("pushing the {what}"), pushed))?;
        pushed.push(format!("blob {d} ({what})"));
    }
    client
        .push_manifest(repo, &c.tag, OCI_MANIFEST, &c.artifact.manifest)
        .await
        .map_err(|e| registry_failure(e, "pushing the chart manifest", pushed))?;
    pushed.push(format!(
        "{repo}:{} = {} (the chart)",
        c.tag, c.artifact.manifest_digest
    ));
    Ok((c.tag.clone(), false))
}

/// Attaches the signature and the provenance bundles to `subject` as referrers, with cosign's
/// annotations.
async fn attach_referrers(
    target: &Target,
    subject: &Subject,
    signed: &Signed,
    pushed: &mut Vec<String>,
) -> Result<Vec<(String, Referrer)>, OciError> {
    let repo = &target.repo;
    let created = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let annotations = |predicate: &str| {
        BTreeMap::from([
            (
                "dev.sigstore.bundle.content".to_string(),
                "dsse-envelope".to_string(),
            ),
            (
                "dev.sigstore.bundle.predicateType".to_string(),
                predicate.to_string(),
            ),
            (
                "org.opencontainers.image.created".to_string(),
                created.clone(),
            ),
        ])
    };
    let mut referrers = Vec::new();
    for (what, bundle, predicate) in [
        ("signature", &signed.signature, COSIGN_SIGN_V1),
        (
            "provenance",
            &signed.provenance,
            super::statement::SLSA_PROVENANCE_V1,
        ),
    ] {
        let r = target
            .client
            .attach_referrer(repo, subject, bundle, &annotations(predicate))
            .await
            .map_err(|e| {
                registry_failure(e, &format!("attaching the {what} as a referrer"), pushed)
            })?;
        pushed.push(match &r.fallback_tag {
            Some(t) => format!("referrer {} ({what}) in the index {repo}:{t}", r.manifest),
            None => format!("referrer {} ({what})", r.manifest),
        });
        referrers.push((what.to_string(), r));
    }
    Ok(referrers)
}

/// Writes cosign's `.sig` and `.att` tags of `subject`; returns the tags.
async fn write_legacy(
    target: &Target,
    subject: &Subject,
    signed: &Signed,
    pushed: &mut Vec<String>,
) -> Result<Vec<String>, OciError> {
    let layers = legacy_layers(signed).map_err(|e| OciError::registry(e, pushed))?;
    let mut tags = Vec::new();
    for (suffix, layer) in layers {
        let (t, _) = target
            .client
            .append_cosign_layer(&target.repo, &subject.digest, suffix, &layer)
            .await
            .map_err(|e| registry_failure(e, &format!("writing cosign's .{suffix} tag"), pushed))?;
        pushed.push(format!("{}:{t}", target.repo));
        tags.push(t);
    }
    Ok(tags)
}

/// The chart read back by its tag: the manifest that was signed, the package byte for byte.
async fn read_back_chart(
    target: &Target,
    c: &PreparedChart,
    tag: &str,
    subject: &Subject,
    pushed: &[String],
) -> Result<(), OciError> {
    let repo = &target.repo;
    let back = target
        .client
        .helm_chart(repo, tag)
        .await
        .map_err(|e| registry_failure(e, &format!("reading {repo}:{tag} back"), pushed))?;
    if back.manifest.digest() != &subject.digest {
        return Err(readback_failure(
            format!(
                "{repo}:{tag}: expected manifest {}, found {}",
                subject.digest,
                back.manifest.digest()
            ),
            pushed,
        ));
    }
    if back.package.bytes != c.tgz {
        return Err(readback_failure(
            format!(
                "{repo}:{tag}: expected the chart package {}, found {}",
                Digest::sha256(&c.tgz),
                back.package.digest
            ),
            pushed,
        ));
    }
    Ok(())
}

/// What is attached to `subject`, read back with kakunin's `verify-image` for `policy`: it
/// must all pass, and every form pushed (`referrers` bundles; `.sig` and `.att` with
/// `legacy_cosign`) must be among what verified. Returns what verified (form and source).
async fn read_back_attached(
    target: &Target,
    subject: &Subject,
    trust: &Trust,
    policy: &Policy,
    ignore_tlog: Option<danger::IgnoreTlog>,
    referrers: usize,
    pushed: &[String],
) -> Result<Vec<String>, OciError> {
    let request = crate::image::Request {
        policy: policy.clone(),
        options: crate::cosign::Options {
            insecure_ignore_tlog: ignore_tlog,
            docker_reference: None,
        },
        attestations: vec![super::statement::SLSA_PROVENANCE_V1.to_string()],
        lookup: crate::image::Lookup::Every,
    };
    let source = crate::image::Source::Registry {
        client: &target.client,
        repo: target.repo.clone(),
    };
    let (checks, details) = crate::image::verify(trust, &source, &subject.digest, &request).await;
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.passed())
        .map(|c| format!("{}: expected {}, found {}", c.title, c.expected, c.found))
        .collect();
    if !failed.is_empty() {
        return Err(readback_failure(failed.join("; "), pushed));
    }
    let verified: Vec<String> = details["verified"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|a| {
                    format!(
                        "{} ({})",
                        a["form"].as_str().unwrap_or("?"),
                        a["source"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // A referrer that a verifier cannot read is not published, even when another form verifies.
    let mut wanted = vec![("sigstore-bundle-dsse", referrers)];
    if target.legacy_cosign {
        wanted.push(("cosign-signature", 1));
        wanted.push(("cosign-attestation", 1));
    }
    for (form, n) in wanted {
        let found = verified.iter().filter(|v| v.starts_with(form)).count();
        if found < n {
            return Err(readback_failure(
                format!(
                    "expected {n} verified {form} of {}, found {found} (verified: {})",
                    subject.digest,
                    verified.join(", ")
                ),
                pushed,
            ));
        }
    }
    Ok(verified)
}

/// cosign's `.sig` and `.att` layers from the signed bundles: the payload, and the signature,
/// certificate and Rekor SET in annotations.
fn legacy_layers(signed: &Signed) -> Result<Vec<(&'static str, CosignLayerOut)>, String> {
    let mut out = Vec::new();
    let (payload, bundle) = signed
        .legacy_signature
        .as_ref()
        .ok_or("cosign's .sig layer: no message signature was made")?;
    let b: serde_json::Value =
        serde_json::from_slice(bundle).map_err(|e| format!("signature bundle: {e}"))?;
    let mut annotations = material_annotations(&b)?;
    annotations.insert(
        crate::cosign::SIGNATURE.into(),
        b["messageSignature"]["signature"]
            .as_str()
            .ok_or("signature bundle: expected a messageSignature, found none")?
            .to_string(),
    );
    out.push((
        "sig",
        CosignLayerOut {
            media_type: SIMPLE_SIGNING.into(),
            payload: payload.clone(),
            annotations,
        },
    ));

    let b: serde_json::Value = serde_json::from_slice(&signed.provenance)
        .map_err(|e| format!("provenance bundle: {e}"))?;
    let env = &b["dsseEnvelope"];
    let mut signatures = Vec::new();
    for s in env["signatures"].as_array().into_iter().flatten() {
        signatures.push(
            serde_json::json!({ "keyid": s["keyid"].as_str().unwrap_or(""), "sig": s["sig"] }),
        );
    }
    let envelope = serde_json::json!({
        "payloadType": env["payloadType"],
        "payload": env["payload"],
        "signatures": signatures,
    });
    let mut annotations = material_annotations(&b)?;
    annotations.insert(crate::cosign::SIGNATURE.into(), String::new());
    annotations.insert(
        "predicateType".into(),
        super::statement::SLSA_PROVENANCE_V1.into(),
    );
    out.push((
        "att",
        CosignLayerOut {
            media_type: DSSE_ENVELOPE.into(),
            payload: envelope.to_string().into_bytes(),
            annotations,
        },
    ));
    Ok(out)
}

/// The certificate (PEM), Rekor SET bundle and RFC 3161 timestamp annotations of a bundle's
/// verification material, as cosign writes them.
fn material_annotations(b: &serde_json::Value) -> Result<BTreeMap<String, String>, String> {
    let mut a = BTreeMap::new();
    let vm = &b["verificationMaterial"];
    let cert = vm["certificate"]["rawBytes"]
        .as_str()
        .or(vm["x509CertificateChain"]["certificates"][0]["rawBytes"].as_str());
    if let Some(raw) = cert {
        let der = B64
            .decode(raw)
            .map_err(|e| format!("bundle certificate: {e}"))?;
        a.insert(crate::cosign::CERTIFICATE.into(), pem("CERTIFICATE", &der));
    }
    if let Some(entry) = vm["tlogEntries"].as_array().and_then(|e| e.first()) {
        let set = entry["inclusionPromise"]["signedEntryTimestamp"]
            .as_str()
            .ok_or("cosign's layout needs the log entry's signed entry timestamp (a Rekor v1 log); the entry has none")?;
        let log_id = B64
            .decode(entry["logId"]["keyId"].as_str().unwrap_or(""))
            .map_err(|e| format!("log id: {e}"))?;
        let int = |k: &str| -> Result<i64, String> {
            entry[k]
                .as_str()
                .and_then(|s| s.parse().ok())
                .or(entry[k].as_i64())
                .ok_or(format!("log entry {k}: expected an integer"))
        };
        a.insert(
            crate::cosign::BUNDLE.into(),
            serde_json::json!({
                "SignedEntryTimestamp": set,
                "Payload": {
                    "body": entry["canonicalizedBody"],
                    "integratedTime": int("integratedTime")?,
                    "logIndex": int("logIndex")?,
                    "logID": hex::encode(log_id),
                },
            })
            .to_string(),
        );
    }
    if let Some(ts) =
        vm["timestampVerificationData"]["rfc3161Timestamps"][0]["signedTimestamp"].as_str()
    {
        a.insert(
            crate::cosign::RFC3161.into(),
            serde_json::json!({ "SignedRFC3161Timestamp": ts }).to_string(),
        );
    }
    Ok(a)
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = B64.encode(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}
