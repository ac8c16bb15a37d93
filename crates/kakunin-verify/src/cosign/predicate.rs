//! `--attestation TYPE`: cosign's short predicate-type names (`cosign attest --type`) and the
//! full URIs they stand for. Any other value is taken as a full predicate type URI.

/// cosign's short names and the predicate types they mean.
pub const SHORT_NAMES: &[(&str, &str)] = &[
    ("slsaprovenance", "https://slsa.dev/provenance/v0.2"),
    ("slsaprovenance02", "https://slsa.dev/provenance/v0.2"),
    ("slsaprovenance1", "https://slsa.dev/provenance/v1"),
    ("link", "https://in-toto.io/Link/v1"),
    ("spdx", "https://spdx.dev/Document"),
    ("spdxjson", "https://spdx.dev/Document"),
    ("cyclonedx", "https://cyclonedx.org/bom"),
    ("vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"),
    ("openvex", "https://openvex.dev/ns"),
    ("custom", "https://cosign.sigstore.dev/attestation/v1"),
];

/// The predicate type a `--attestation` value asks for.
pub fn resolve(name: &str) -> String {
    SHORT_NAMES
        .iter()
        .find(|(short, _)| short.eq_ignore_ascii_case(name))
        .map_or_else(|| name.to_string(), |(_, uri)| (*uri).to_string())
}

/// Whether a statement's predicate type is the one asked for. cosign wrote its own types
/// without a scheme for a while (`cosign.sigstore.dev/attestation/v1`); those match their
/// `https://` form.
pub fn matches(wanted: &str, found: &str) -> bool {
    wanted == found || wanted.strip_prefix("https://") == Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_map_to_uris_and_uris_pass_through() {
        assert_eq!(resolve("slsaprovenance1"), "https://slsa.dev/provenance/v1");
        assert_eq!(
            resolve("slsaprovenance"),
            "https://slsa.dev/provenance/v0.2"
        );
        assert_eq!(resolve("spdxjson"), "https://spdx.dev/Document");
        assert_eq!(resolve("cyclonedx"), "https://cyclonedx.org/bom");
        assert_eq!(
            resolve("https://example.com/p/v1"),
            "https://example.com/p/v1"
        );
        assert!(matches(
            &resolve("custom"),
            "cosign.sigstore.dev/attestation/v1"
        ));
        assert!(!matches(
            &resolve("slsaprovenance1"),
            "https://slsa.dev/provenance/v0.2"
        ));
    }
}
