use super::*;

const STREAM: &str = "\
---
# Source: c/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # a comment
spec:
  template:
    spec:
      initContainers:
      - name: init
        image: 'busybox:1.36'
      containers:
        - name: app
          image: \"ghcr.io/o/app:v1\"   # quoted
          imagePullPolicy: IfNotPresent
        - name: side
          image: ghcr.io/o/app:v1
---
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - image: alpine
---
# an empty document
---
kind: Widget
apiVersion: example.com/v1
spec:
  image: not-a-container
  runner:
    containers:
    - image: example.com/runner@sha256:0000000000000000000000000000000000000000000000000000000000000000
data:
  embedded: |
    image: inside-a-string
";

fn pins(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn images_of_known_and_unknown_kinds_are_found_in_order() {
    let r = Rendered::parse(STREAM.as_bytes()).unwrap();
    let found: Vec<(usize, &str, String, &str)> = r
        .images()
        .iter()
        .map(|i| (i.document, i.kind.as_str(), i.path_text(), i.value.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                0,
                "Deployment",
                "spec.template.spec.initContainers[0].image".into(),
                "busybox:1.36"
            ),
            (
                0,
                "Deployment",
                "spec.template.spec.containers[0].image".into(),
                "ghcr.io/o/app:v1"
            ),
            (
                0,
                "Deployment",
                "spec.template.spec.containers[1].image".into(),
                "ghcr.io/o/app:v1"
            ),
            (
                1,
                "CronJob",
                "spec.jobTemplate.spec.template.spec.containers[0].image".into(),
                "alpine"
            ),
            (
                3,
                "Widget",
                "spec.runner.containers[0].image".into(),
                "example.com/runner@sha256:0000000000000000000000000000000000000000000000000000000000000000"
            ),
        ]
    );
    assert_eq!(r.images()[0].name, "web");
    assert_eq!(r.images()[3].name, "nightly");
    assert_eq!(
        r.distinct_images(),
        vec![
            "busybox:1.36",
            "ghcr.io/o/app:v1",
            "alpine",
            "example.com/runner@sha256:0000000000000000000000000000000000000000000000000000000000000000"
        ]
    );
}

#[test]
fn rewriting_changes_only_the_pinned_values() {
    let r = Rendered::parse(STREAM.as_bytes()).unwrap();
    let d = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let out = r
        .rewrite(&pins(&[
            ("ghcr.io/o/app:v1", &format!("ghcr.io/o/app@{d}")),
            ("alpine", &format!("alpine@{d}")),
        ]))
        .unwrap();
    let expected = STREAM
        .replace("\"ghcr.io/o/app:v1\"", &format!("\"ghcr.io/o/app@{d}\""))
        .replace(
            "image: ghcr.io/o/app:v1",
            &format!("image: ghcr.io/o/app@{d}"),
        )
        .replace("- image: alpine\n", &format!("- image: alpine@{d}\n"));
    assert_eq!(String::from_utf8(out).unwrap(), expected);
    // Nothing to pin: the very bytes.
    assert_eq!(r.rewrite(&BTreeMap::new()).unwrap(), STREAM.as_bytes());
}

#[test]
fn a_pin_for_an_image_in_flow_style_is_refused_not_guessed() {
    let text = "kind: Pod\nspec:\n  containers: [{name: a, image: alpine}]\n";
    let r = Rendered::parse(text.as_bytes()).unwrap();
    assert_eq!(r.images()[0].value, "alpine");
    let e = r
        .rewrite(&pins(&[("alpine", "alpine@sha256:00")]))
        .unwrap_err();
    assert!(
        e.to_string().contains("cannot rewrite the image in place"),
        "{e}"
    );
}

#[test]
fn bad_image_values_are_errors() {
    let cases = [
        ("image: !!binary aGVsbG8=", "YAML tag"),
        ("image: !custom alpine", "YAML tag"),
        ("image: \"alpine\\n:3\"", "newline"),
        ("image: \"{{ .Values.image }}\"", "unrendered template"),
        ("image: '{{ .Values.image }}:1'", "unrendered template"),
        ("image: 42", "non-string"),
        ("image:", "null"),
        ("image: \"Not A Reference\"", "whitespace"),
        ("image: \"a//b:1\"", "a//b:1"),
        ("image: !!str alpine", "YAML tag"),
    ];
    for (line, want) in cases {
        let text = format!("kind: Pod\nspec:\n  containers:\n  - name: a\n    {line}\n");
        let e = Rendered::parse(text.as_bytes()).unwrap_err().to_string();
        assert!(e.contains(want), "{line}: {e}");
        assert!(e.contains("spec.containers[0].image"), "{line}: {e}");
    }
    // An unquoted template is not even YAML (a flow mapping as a key).
    let text = "kind: Pod\nspec:\n  containers:\n  - image: {{ .Values.image }}\n";
    assert!(Rendered::parse(text.as_bytes()).is_err());
}

#[test]
fn streams_that_are_not_yaml_or_too_big_are_refused() {
    assert!(matches!(
        Rendered::parse(b"a: [1, 2\nb: c\n"),
        Err(ManifestError::NotYaml { .. })
    ));
    assert!(matches!(
        Rendered::parse(b"a: 1\na: 2\n"),
        Err(ManifestError::NotYaml { .. })
    ));
    assert!(matches!(
        Rendered::parse(&[0xff, 0xfe, b'a']),
        Err(ManifestError::NotUtf8(_))
    ));
    let big = vec![b'#'; MAX_STREAM_BYTES + 1];
    assert!(matches!(
        Rendered::parse(&big),
        Err(ManifestError::TooLarge { .. })
    ));
    let many = "---\na: 1\n".repeat(MAX_DOCUMENTS + 1);
    assert!(matches!(
        Rendered::parse(many.as_bytes()),
        Err(ManifestError::TooManyDocuments { .. })
    ));
    let deep = format!("a: {}{}\n", "[".repeat(200), "]".repeat(200));
    assert!(matches!(
        Rendered::parse(deep.as_bytes()),
        Err(ManifestError::NotYaml { .. })
    ));
}

#[test]
fn the_rewrite_check_catches_an_edit_outside_the_images() {
    let r = Rendered::parse(b"kind: Pod\nspec:\n  containers:\n  - image: a\n").unwrap();
    let e = r
        .check_chunk(
            0,
            "kind: Pod\nspec:\n  containers:\n  - image: b\n    extra: 1\n",
            &pins(&[("a", "b")]),
        )
        .unwrap_err();
    assert!(e.to_string().contains("document 0 differs"), "{e}");
    r.check_chunk(
        0,
        "kind: Pod\nspec:\n  containers:\n  - image: b\n",
        &pins(&[("a", "b")]),
    )
    .unwrap();
}

#[test]
fn a_stream_of_many_documents_is_rewritten_where_its_images_are_and_nowhere_else() {
    let mut text = String::from("# Source: c/templates/a.yaml\n");
    for i in 0..30 {
        if i % 7 == 3 {
            text.push_str(&format!(
                "---\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  containers:\n  - image: app:{}\n",
                i % 2
            ));
        } else {
            text.push_str(&format!("---\nkind: ConfigMap\ndata:\n  k: \"v{i}\"\n"));
        }
    }
    let r = Rendered::parse(text.as_bytes()).unwrap();
    assert_eq!(r.document_count(), 30);
    let docs: Vec<(usize, &str)> = r
        .images()
        .iter()
        .map(|i| (i.document, i.name.as_str()))
        .collect();
    assert_eq!(docs, vec![(3, "p3"), (10, "p10"), (17, "p17"), (24, "p24")]);
    let out = r.rewrite(&pins(&[("app:0", "app@sha256:00")])).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        text.replace("image: app:0\n", "image: app@sha256:00\n")
    );
}

#[test]
fn a_parse_error_is_told_with_the_lines_of_the_stream() {
    let text = "---\nkind: A\n---\nkind: B\n---\nkind: Pod\nspec:\n  containers:\n  - image: [a\n";
    let e = Rendered::parse(text.as_bytes()).unwrap_err();
    let ManifestError::NotYaml { document, message } = &e else {
        panic!("{e}");
    };
    assert_eq!(*document, 2, "{e}");
    // The stream's line 10 (the end of the text), not the document's.
    assert!(message.contains("line 10"), "{message}");
}

#[test]
fn the_rewrite_check_of_a_later_document_names_it() {
    let text = "---\nkind: A\n---\nkind: Pod\nspec:\n  containers:\n  - image: a\n";
    let r = Rendered::parse(text.as_bytes()).unwrap();
    let e = r
        .check_chunk(
            0,
            "---\nkind: Pod\nspec:\n  containers:\n  - image: b\n  - image: c\n",
            &pins(&[("a", "b")]),
        )
        .unwrap_err();
    assert!(e.to_string().contains("document 1 differs"), "{e}");
}
