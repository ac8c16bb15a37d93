//! Helm repository index, chart packages and `.prov` provenance, on real third-party data
//! (../shared: GomenHashai's index.yaml, Helm's own provenance test data) and on hostile tgz.

use kakunin::chart::index::{HelmIndex, VersionRequest};
use kakunin::chart::package::ChartPackage;
use kakunin::chart::prov::{self, ProvError};
use kakunin::digest::Digest;

use crate::common::shared_fixtures;

#[test]
fn the_real_gomenhashai_index_parses_and_every_release_is_found() {
    let Some(shared) = shared_fixtures("the_real_gomenhashai_index_parses") else {
        return;
    };
    let bytes = std::fs::read(shared.join("GomenHashai/index.yaml")).unwrap();
    let index = HelmIndex::parse(&bytes).unwrap();
    let entries = index.chart("gomenhashai").unwrap();
    assert_eq!(entries.len(), 15);
    let history = std::fs::read_to_string(shared.join("GomenHashai/release-history.tsv")).unwrap();
    let mut rows = 0;
    for line in history.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (tag, version, app) = (cols[0], cols[1], cols[2]);
        let e = index
            .select(
                "gomenhashai",
                &VersionRequest::parse(version).unwrap(),
                false,
            )
            .unwrap();
        assert_eq!(e.version, version);
        assert_eq!(e.app_version.as_deref(), Some(app), "{version}");
        let digest = e
            .claimed_digest()
            .unwrap()
            .expect("every entry has a digest");
        assert_eq!(digest.to_string().len(), "sha256:".len() + 64);
        let base = url::Url::parse("https://gomenhashai.github.io/GomenHashai/index.yaml").unwrap();
        assert_eq!(
            e.chart_url(&base).unwrap().as_str(),
            format!(
                "https://github.com/GomenHashai/GomenHashai/releases/download/{tag}/gomenhashai-{version}.tgz"
            )
        );
        rows += 1;
    }
    assert_eq!(rows, 15);
    for (v, d) in [
        (
            "1.3.2",
            "8101a2c98de9390a7965f8219003ddc52d33bbc0d5099dbec5c2947a652c2d6b",
        ),
        (
            "1.3.1",
            "afe5f5ce166313693175899d84bf6224a23d60b4d747dd9afb62cf2725f6e087",
        ),
        (
            "1.3.0",
            "85cdcac15a140a474420558d8da7cea8f7293f5c4231144dcd9dc9c246854f70",
        ),
    ] {
        let e = index
            .select("gomenhashai", &VersionRequest::Exact(v.into()), false)
            .unwrap();
        assert_eq!(e.claimed_digest().unwrap().unwrap().hex(), d);
    }
    let newest = index
        .select(
            "gomenhashai",
            &VersionRequest::parse("^1.2").unwrap(),
            false,
        )
        .unwrap();
    assert_eq!(newest.version, "1.3.2");
    let below = index
        .select(
            "gomenhashai",
            &VersionRequest::parse(">=1.1, <1.2").unwrap(),
            false,
        )
        .unwrap();
    assert_eq!(below.version, "1.1.3");
}

fn helm(shared: &std::path::Path, p: &str) -> Vec<u8> {
    std::fs::read(shared.join("helm/pkg").join(p)).unwrap()
}

#[test]
fn helm_provenance_verifies_with_the_rsa_key_and_rejects_tampering() {
    let Some(shared) = shared_fixtures("helm_provenance_verifies") else {
        return;
    };
    let keyring =
        prov::parse_keyring(&helm(&shared, "provenance/testdata/helm-test-key.pub")).unwrap();
    let tgz = helm(&shared, "provenance/testdata/hashtest-1.2.3.tgz");
    let p = helm(&shared, "provenance/testdata/hashtest-1.2.3.tgz.prov");
    let ok = prov::verify(&p, &keyring, &tgz, "hashtest-1.2.3.tgz").unwrap();
    assert_eq!(
        ok.signer_fingerprint(),
        "5E615389B53CA37F0EE60BD3843BBF981FC18762"
    );
    assert_eq!(ok.digest(), &Digest::sha256(&tgz));
    assert!(ok.chart_yaml().contains("name: hashtest"));

    // The chart package read in memory.
    let chart = ChartPackage::read(&tgz).unwrap();
    assert_eq!(chart.metadata.name, "hashtest");
    assert_eq!(chart.metadata.version, "1.2.3");

    // The mixed keyring (RSA + Ed25519) parses and still finds the RSA signer.
    let mixed =
        prov::parse_keyring(&helm(&shared, "provenance/testdata/helm-mixed-keyring.pub")).unwrap();
    assert_eq!(mixed.len(), 2);
    prov::verify(&p, &mixed, &tgz, "hashtest-1.2.3.tgz").unwrap();

    // Another chart against this .prov: the digest differs, expected and found are named.
    let signtest = helm(&shared, "cmd/testdata/testcharts/signtest-0.1.0.tgz");
    let err = prov::verify(&p, &keyring, &signtest, "hashtest-1.2.3.tgz").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ProvError::Digest { .. }), "{msg}");
    assert!(
        msg.contains(
            "expected sha256:c6841b3a895f1444a6738b5d04564a57e860ce42f8519c3be807fb6d9bee7888"
        ) && msg.contains(&format!("found {}", Digest::sha256(&signtest))),
        "{msg}"
    );
    let err = prov::verify(&p, &keyring, &tgz, "other-1.0.0.tgz").unwrap_err();
    assert!(
        err.to_string()
            .contains("found entries for hashtest-1.2.3.tgz"),
        "{err}"
    );

    // The body changed after signing.
    let tampered = helm(&shared, "provenance/testdata/msgblock.yaml.tampered");
    let err = prov::verify(&tampered, &keyring, &tgz, "hashtest-1.2.3.tgz").unwrap_err();
    assert!(matches!(err, ProvError::Signature { .. }), "{err}");

    // A keyring without the signer.
    let only_ed: Vec<_> = mixed
        .into_iter()
        .filter(|k| {
            !format!("{:?}", k.primary_key).contains("RSA") && {
                use pgp::types::KeyDetails;
                k.fingerprint().to_string().to_uppercase()
                    != "5E615389B53CA37F0EE60BD3843BBF981FC18762"
            }
        })
        .collect();
    assert_eq!(only_ed.len(), 1);
    let err = prov::verify(&p, &only_ed, &tgz, "hashtest-1.2.3.tgz").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("expected a signature by one of 4CBE754C25580C6C878DE711FB856812CE2FCB64")
            && msg.contains("found one by"),
        "{msg}"
    );
}

#[test]
fn helm_provenance_verifies_with_an_eddsa_key() {
    use pgp::composed::{CleartextSignedMessage, KeyType, SecretKeyParamsBuilder};
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let key = SecretKeyParamsBuilder::default()
        .key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .primary_user_id("kakunin test <test@kakunin.invalid>".into())
        .build()
        .unwrap()
        .generate(&mut rng)
        .unwrap();
    let tgz = b"not really a tgz, only its digest matters".to_vec();
    let body = format!(
        "apiVersion: v2\nname: demo\nversion: 1.0.0\n\n...\nfiles:\n  demo-1.0.0.tgz: {}\n",
        Digest::sha256(&tgz)
    );
    let msg = CleartextSignedMessage::sign(&mut rng, &body, &key.primary_key, &"".into()).unwrap();
    let armored = msg.to_armored_string(Default::default()).unwrap();
    let public = key.to_public_key();
    let keyring_bytes = public.to_armored_bytes(Default::default()).unwrap();
    let keyring = prov::parse_keyring(&keyring_bytes).unwrap();
    prov::verify(armored.as_bytes(), &keyring, &tgz, "demo-1.0.0.tgz").unwrap();
    let tampered = armored.replace("version: 1.0.0", "version: 1.0.1");
    let err = prov::verify(tampered.as_bytes(), &keyring, &tgz, "demo-1.0.0.tgz").unwrap_err();
    assert!(matches!(err, ProvError::Signature { .. }), "{err}");
}

/// A tar.gz whose entries are written with raw GNU headers, so hostile names are possible.
pub fn raw_tgz(entries: impl IntoIterator<Item = (String, Vec<u8>)>) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.as_gnu_mut().unwrap().name[..path.len()].copy_from_slice(path.as_bytes());
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        b.append(&h, &data[..]).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &b.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

#[test]
fn hostile_chart_packages_are_rejected_with_clear_errors() {
    // ../x
    let t = raw_tgz([("demo/../../x".to_string(), b"owned".to_vec())]);
    let err = ChartPackage::read(&t).unwrap_err().to_string();
    assert_eq!(
        err,
        "chart package entry \"demo/../../x\": expected a path inside the chart, found '..'"
    );
    // 100,000 entries (stored, not compressed: building them is the slow part of this test).
    let t = {
        let mut b = tar::Builder::new(Vec::new());
        for i in 0..100_000 {
            let mut h = tar::Header::new_gnu();
            h.set_path(format!("demo/f{i}")).unwrap();
            h.set_size(0);
            h.set_cksum();
            b.append(&h, &[][..]).unwrap();
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
        std::io::Write::write_all(&mut gz, &b.into_inner().unwrap()).unwrap();
        gz.finish().unwrap()
    };
    let err = ChartPackage::read(&t).unwrap_err().to_string();
    assert_eq!(err, "chart package has more than 10000 entries");

    // A gzip bomb: entries of 15 MiB of zeros (each under the entry cap), 300 MiB in all,
    // about 300 KiB compressed. Gzip members concatenate, as Helm (Go's gzip) reads them.
    let gz = |data: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut e, data).unwrap();
        e.finish().unwrap()
    };
    let entry = 15 * 1024 * 1024;
    let zeros = gz(&vec![0u8; entry]);
    let mut bomb = Vec::new();
    for i in 0..20 {
        let mut h = tar::Header::new_gnu();
        h.set_path(format!("demo/zeros{i}")).unwrap();
        h.set_size(entry as u64);
        h.set_cksum();
        bomb.extend(gz(h.as_bytes()));
        bomb.extend(&zeros);
    }
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    let err = ChartPackage::read(&bomb).unwrap_err().to_string();
    assert_eq!(
        err,
        "chart package unpacks to more than 268435456 bytes (a decompression bomb?)"
    );
    // One entry claiming more than the entry cap is refused from its header.
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_path("demo/huge").unwrap();
    h.set_size(300 * 1024 * 1024);
    h.set_cksum();
    b.append(&h, &[0u8; 512][..]).unwrap();
    let err = ChartPackage::read(&gz(&b.into_inner().unwrap()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "chart package entry \"demo/huge\" is 314572800 bytes: expected at most 16777216"
    );
    // Not gzip at all.
    let err = ChartPackage::read(b"PK\x03\x04 a zip")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("chart package is not a gzip-compressed tar archive"),
        "{err}"
    );
}

/// Thousands of corrupted chart packages, indexes and provenance files (deterministic random
/// byte flips, truncations and insertions): each is accepted or refused, never a panic.
#[test]
fn corrupted_inputs_never_panic() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(42);
    let tgz = raw_tgz([
        (
            "demo/Chart.yaml".to_string(),
            b"apiVersion: v2\nname: demo\nversion: 1.0.0\nappVersion: v1.0.0\nannotations:\n  artifacthub.io/images: |\n    - name: a\n      image: ghcr.io/o/a:v1\n".to_vec(),
        ),
        (
            "demo/values.yaml".to_string(),
            b"image:\n  repository: ghcr.io/o/a\n  tag: v1\n  digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\n".to_vec(),
        ),
        ("demo/templates/a.yaml".to_string(), b"kind: ConfigMap\n".to_vec()),
    ]);
    let index = b"apiVersion: v1\nentries:\n  demo:\n  - name: demo\n    version: 1.0.0\n    appVersion: v1.0.0\n    digest: 0000000000000000000000000000000000000000000000000000000000000000\n    urls: [demo-1.0.0.tgz]\n".to_vec();
    let prov = b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nname: demo\n...\nfiles:\n  demo-1.0.0.tgz: sha256:00\n-----BEGIN PGP SIGNATURE-----\n\nwsBcBAEBCgAQBQJcon2ICRCEO7+YH8GHYgAASEAIAHD4Rad+LF47qNydI+k7x3aC\n=YgnR\n-----END PGP SIGNATURE-----\n".to_vec();
    let mutate = |rng: &mut rand_chacha::ChaCha20Rng, input: &[u8]| -> Vec<u8> {
        let mut v = input.to_vec();
        for _ in 0..rng.gen_range(1..8) {
            if v.is_empty() {
                break;
            }
            let i = rng.gen_range(0..v.len());
            match rng.gen_range(0..3) {
                0 => v[i] = rng.r#gen(),
                1 => v.truncate(i),
                _ => v.insert(i, rng.r#gen()),
            }
        }
        v
    };
    for _ in 0..1500 {
        let t = mutate(&mut rng, &tgz);
        if let Ok(c) = ChartPackage::read(&t) {
            let _ = c
                .images()
                .map(|imgs| imgs.iter().filter(|i| i.reference().is_ok()).count());
        }
        let i = mutate(&mut rng, &index);
        if let Ok(idx) = HelmIndex::parse(&i) {
            for e in idx.entries.values().flatten() {
                let _ = e.claimed_digest();
                let _ = e.chart_url(&url::Url::parse("https://x.test/index.yaml").unwrap());
            }
            let _ = idx.select("demo", &VersionRequest::parse("*").unwrap(), true);
        }
        let p = mutate(&mut rng, &prov);
        let _ = prov::verify(&p, &[], &tgz, "demo-1.0.0.tgz");
    }
}
