//! The values a release will be installed with: Helm's `--values FILE` (`-f`) and `--set
//! key=value`, merged over the chart's `values.yaml` as Helm merges them, so that the images
//! `verify` checks are the ones that will be deployed.
//!
//! Guarantees: `--set` is read as Helm's `pkg/strvals` reads it (dotted paths, list indexes
//! `a[0]`, `{a,b}` lists, comma-separated assignments, `\` escapes; `true`/`false`/`null` and
//! integers not starting with `0` are typed, everything else is a string), with its bounds (an
//! index at most 65,536, names nested at most 30 deep); a syntax error names the assignment. A
//! values file is parsed bounded (size, flow depth, serde_norway's alias-expansion limit, a
//! key twice refused) and must be a mapping. Merging: files in order, each deep-merged over the
//! last, then the `--set` assignments in order, then the result coalesced over the chart's
//! defaults (maps merged, anything else replaced, `null` deletes a default), subcharts getting
//! their section and `global` as Helm gives them.

use serde_norway::{Mapping, Value};

use crate::limits;

/// Largest values file accepted.
pub const MAX_VALUES_BYTES: u64 = 4 * 1024 * 1024;
/// Helm's `strvals.MaxIndex`.
pub const MAX_INDEX: usize = 65_536;
/// Helm's `strvals.MaxNestedNameLevel`.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// The user's values: what `--values` and `--set` give, merged, before the chart's defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserValues {
    values: Mapping,
}

impl UserValues {
    /// No user values (the chart's defaults are deployed).
    pub fn none() -> UserValues {
        UserValues::default()
    }

    /// Whether the user gave no values.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Merges a values file (`-f`): its maps deep-merged over what is there.
    pub fn add_file(&mut self, bytes: &[u8], origin: &str) -> Result<(), String> {
        let err = |m: String| format!("values file {origin}: {m}");
        if bytes.len() as u64 > MAX_VALUES_BYTES {
            return Err(err(format!(
                "expected at most {MAX_VALUES_BYTES} bytes, found {}",
                bytes.len()
            )));
        }
        if !limits::yaml_flow_depth_ok(bytes) {
            return Err(err(format!(
                "collections nest deeper than {} levels",
                limits::MAX_DEPTH
            )));
        }
        let mut v: Value = serde_norway::from_slice(bytes).map_err(|e| err(e.to_string()))?;
        // YAML merge keys (`<<: *anchor`), resolved as Helm's YAML library resolves them.
        v.apply_merge().map_err(|e| err(e.to_string()))?;
        match v {
            Value::Null => Ok(()),
            Value::Mapping(m) => {
                merge_maps(&mut self.values, m);
                Ok(())
            }
            other => Err(err(format!(
                "expected a mapping of values, found {}",
                kind(&other)
            ))),
        }
    }

    /// Applies one `--set` argument (`a.b=c,d[0]=e`).
    pub fn add_set(&mut self, line: &str) -> Result<(), String> {
        let mut p = Parser {
            chars: line.chars().collect(),
            pos: 0,
        };
        p.parse(&mut self.values)
            .map_err(|e| format!("--set {line:?}: {e}"))
    }

    /// The values the chart is rendered with: these coalesced over `defaults` (the chart's
    /// `values.yaml`).
    pub fn over(&self, defaults: &Value) -> Value {
        let mut base = match defaults {
            Value::Mapping(m) => m.clone(),
            _ => Mapping::new(),
        };
        coalesce(&mut base, &self.values);
        Value::Mapping(base)
    }

    /// The values a subchart named `name` is rendered with, given its parent's rendered
    /// values: its own defaults, under the parent's `name:` section and the parent's `global`.
    pub fn for_subchart(parent: &Value, name: &str, defaults: &Value) -> Value {
        let mut base = match defaults {
            Value::Mapping(m) => m.clone(),
            _ => Mapping::new(),
        };
        if let Some(Value::Mapping(section)) = parent.get(name) {
            coalesce(&mut base, section);
        }
        if let Some(Value::Mapping(global)) = parent.get("global") {
            let mut g = match base.get("global") {
                Some(Value::Mapping(m)) => m.clone(),
                _ => Mapping::new(),
            };
            coalesce(&mut g, global);
            base.insert(Value::from("global"), Value::Mapping(g));
        }
        Value::Mapping(base)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// Helm's `mergeMaps` (`-f` files): maps merged recursively, anything else replaced.
fn merge_maps(dst: &mut Mapping, src: Mapping) {
    for (k, v) in src {
        match (dst.get_mut(&k), v) {
            (Some(Value::Mapping(d)), Value::Mapping(s)) => merge_maps(d, s),
            (_, v) => {
                dst.insert(k, v);
            }
        }
    }
}

/// Helm's `coalesce` of user values over defaults: user maps merged into default maps, any
/// other user value replacing the default, a user `null` deleting it.
fn coalesce(dst: &mut Mapping, user: &Mapping) {
    for (k, v) in user {
        match (dst.get_mut(k), v) {
            (_, Value::Null) => {
                dst.remove(k);
            }
            (Some(Value::Mapping(d)), Value::Mapping(u)) => coalesce(d, u),
            (_, Value::Mapping(u)) => {
                // Nulls inside a new map are not defaults to delete: drop them as Helm does.
                let mut fresh = Mapping::new();
                coalesce(&mut fresh, u);
                dst.insert(k.clone(), Value::Mapping(fresh));
            }
            (_, v) => {
                dst.insert(k.clone(), v.clone());
            }
        }
    }
}

/// `pkg/strvals`' grammar over one `--set` argument.
struct Parser {
    chars: Vec<char>,
    pos: usize,
}

/// What ended a run of characters.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    Char(char),
    End,
}

impl Parser {
    fn parse(&mut self, data: &mut Mapping) -> Result<(), String> {
        while self.pos < self.chars.len() {
            self.key(data, 0)?;
        }
        Ok(())
    }

    /// Characters up to one of `stop` (consumed) or the end; `\x` is a literal `x`.
    fn until(&mut self, stop: &[char]) -> (String, Stop) {
        let mut s = String::new();
        while let Some(&c) = self.chars.get(self.pos) {
            self.pos += 1;
            if stop.contains(&c) {
                return (s, Stop::Char(c));
            }
            if c == '\\' {
                match self.chars.get(self.pos) {
                    Some(&n) => {
                        self.pos += 1;
                        s.push(n);
                    }
                    None => return (s, Stop::End),
                }
            } else {
                s.push(c);
            }
        }
        (s, Stop::End)
    }

    fn key(&mut self, data: &mut Mapping, level: usize) -> Result<(), String> {
        let (k, last) = self.until(&['=', '[', ',', '.']);
        match last {
            Stop::End => {
                if k.is_empty() {
                    Ok(())
                } else {
                    Err(format!("key {k:?} has no value"))
                }
            }
            Stop::Char('[') => {
                let i = self.index()?;
                let mut list = match data.get(k.as_str()) {
                    None => Vec::new(),
                    Some(Value::Sequence(s)) => s.clone(),
                    Some(other) => {
                        return Err(format!("key {k:?} is {}, not a list", kind(other)));
                    }
                };
                self.list_item(&mut list, i, level)?;
                set(data, &k, Value::Sequence(list));
                Ok(())
            }
            Stop::Char('=') => {
                let v = self.value()?;
                set(data, &k, v);
                Ok(())
            }
            Stop::Char(',') => Err(format!("key {k:?} has no value (cannot end with ,)")),
            Stop::Char(_) => {
                // '.': descend.
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let mut inner = match data.get(k.as_str()) {
                    None => Mapping::new(),
                    Some(Value::Mapping(m)) => m.clone(),
                    Some(other) => {
                        return Err(format!("key {k:?} is {}, not a map", kind(other)));
                    }
                };
                let r = self.key(&mut inner, level);
                if r.is_ok() && inner.is_empty() {
                    return Err(format!("key map {k:?} has no value"));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Mapping(inner));
                }
                r
            }
        }
    }

    fn index(&mut self) -> Result<usize, String> {
        let (v, last) = self.until(&[']']);
        if last == Stop::End {
            return Err(format!("error parsing index: {v:?} has no closing ]"));
        }
        let i: i64 = v
            .trim()
            .parse()
            .map_err(|_| format!("error parsing index: {v:?} is not an integer"))?;
        if i < 0 {
            return Err(format!("negative {i} index not allowed"));
        }
        if i as u64 > MAX_INDEX as u64 {
            return Err(format!(
                "index of {i} is greater than maximum supported index of {MAX_INDEX}"
            ));
        }
        Ok(i as usize)
    }

    fn list_item(&mut self, list: &mut Vec<Value>, i: usize, level: usize) -> Result<(), String> {
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return Err(format!("unexpected data at end of array index: {k:?}"));
        }
        let v = match last {
            Stop::End => return Err("unexpected end after an array index".into()),
            Stop::Char('=') => self.value()?,
            Stop::Char('[') => {
                let next = self.index()?;
                let mut inner = match list.get(i) {
                    Some(Value::Sequence(s)) => s.clone(),
                    Some(Value::Null) | None => Vec::new(),
                    Some(other) => return Err(format!("index {i} is {}, not a list", kind(other))),
                };
                self.list_item(&mut inner, next, level)?;
                Value::Sequence(inner)
            }
            Stop::Char(_) => {
                let mut inner = match list.get(i) {
                    Some(Value::Mapping(m)) => m.clone(),
                    _ => Mapping::new(),
                };
                self.key(&mut inner, level)?;
                Value::Mapping(inner)
            }
        };
        if list.len() <= i {
            list.resize(i + 1, Value::Null);
        }
        list[i] = v;
        Ok(())
    }

    /// After `=`: a `{a,b}` list, or a scalar up to the next `,`.
    fn value(&mut self) -> Result<Value, String> {
        if self.chars.get(self.pos) == Some(&'{') {
            self.pos += 1;
            let mut list = Vec::new();
            loop {
                let (s, last) = self.until(&[',', '}']);
                match last {
                    Stop::End => return Err("list must terminate with '}'".into()),
                    Stop::Char('}') => {
                        if self.chars.get(self.pos) == Some(&',') {
                            self.pos += 1;
                        }
                        list.push(typed(&s));
                        return Ok(Value::Sequence(list));
                    }
                    Stop::Char(_) => list.push(typed(&s)),
                }
            }
        }
        let (s, _) = self.until(&[',']);
        Ok(typed(&s))
    }
}

fn set(data: &mut Mapping, key: &str, v: Value) {
    if !key.is_empty() {
        data.insert(Value::from(key), v);
    }
}

/// strvals' `typedVal`: booleans and `null` in any case, integers not starting with `0`.
fn typed(s: &str) -> Value {
    if s.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    if s == "0" {
        return Value::from(0i64);
    }
    if !s.is_empty() && !s.starts_with('0') {
        if let Ok(i) = s.parse::<i64>() {
            return Value::from(i);
        }
    }
    Value::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(lines: &[&str]) -> Result<Value, String> {
        let mut u = UserValues::none();
        for l in lines {
            u.add_set(l)?;
        }
        Ok(Value::Mapping(u.values))
    }

    fn yaml(s: &str) -> Value {
        serde_norway::from_str(s).unwrap()
    }

    #[test]
    fn set_reads_paths_indexes_lists_and_types_as_strvals_does() {
        assert_eq!(
            set(&["image.tag=v2,image.repository=ghcr.io/o/app"]).unwrap(),
            yaml("image: {tag: v2, repository: ghcr.io/o/app}")
        );
        assert_eq!(
            set(&["a=1,b=true,c=NULL,d=012,e=1.5,f=,g=0,h=-3"]).unwrap(),
            yaml("{a: 1, b: true, c: null, d: '012', e: '1.5', f: '', g: 0, h: -3}")
        );
        assert_eq!(
            set(&["list[1].name=x", "list[0]=y"]).unwrap(),
            yaml("list: [y, {name: x}]")
        );
        assert_eq!(set(&["m[0][1]=z"]).unwrap(), yaml("m: [[null, z]]"));
        assert_eq!(set(&["names={a,b,3}"]).unwrap(), yaml("names: [a, b, 3]"));
        assert_eq!(
            set(&[r"annotations.kubernetes\.io/role=a\,b"]).unwrap(),
            yaml("annotations: {kubernetes.io/role: 'a,b'}")
        );
        // Later assignments win; a map is descended, not replaced.
        assert_eq!(
            set(&["image.tag=1", "image.tag=2,image.digest=sha256:x"]).unwrap(),
            yaml("image: {tag: 2, digest: 'sha256:x'}")
        );
    }

    #[test]
    fn set_syntax_errors_name_the_assignment() {
        for (line, want) in [
            ("image.tag", "key \"tag\" has no value"),
            ("a=b,c", "key \"c\" has no value"),
            ("a,b=c", "cannot end with ,"),
            ("a[x]=1", "not an integer"),
            ("a[-1]=1", "negative -1 index"),
            (
                "a[65537]=1",
                "greater than maximum supported index of 65536",
            ),
            ("a[0", "no closing ]"),
            ("a[0]x=1", "unexpected data at end of array index"),
            ("a={b,c", "list must terminate with '}'"),
            ("a.=1", "has no value"),
        ] {
            let e = set(&[line]).unwrap_err();
            assert!(e.contains(want) && e.contains(line), "{line}: {e}");
        }
        let deep = format!("{}=1", vec!["a"; 32].join("."));
        assert!(set(&[&deep]).unwrap_err().contains("nested level"));
        let e = set(&["a=1", "a.b=2"]).unwrap_err();
        assert!(e.contains("not a map"), "{e}");
    }

    #[test]
    fn files_merge_in_order_and_user_values_coalesce_over_defaults() {
        let mut u = UserValues::none();
        u.add_file(
            b"image: {repository: r/a, tag: '1'}\nsidecar: {enabled: true}\n",
            "a.yaml",
        )
        .unwrap();
        u.add_file(b"image: {tag: '2'}\nremoved: null\n", "b.yaml")
            .unwrap();
        u.add_set("image.digest=sha256:abc").unwrap();
        let defaults = yaml(
            "image: {repository: r/default, tag: '0', pullPolicy: Always}\nremoved: {image: x/y}\nkept: 1\n",
        );
        assert_eq!(
            u.over(&defaults),
            yaml(
                "image: {repository: r/a, tag: '2', pullPolicy: Always, digest: 'sha256:abc'}\nkept: 1\nsidecar: {enabled: true}\n"
            )
        );
        let parent = yaml("sub: {image: {tag: v9}}\nglobal: {registry: r.io}\n");
        let sub =
            UserValues::for_subchart(&parent, "sub", &yaml("image: {repository: x, tag: v1}\n"));
        assert_eq!(
            sub,
            yaml("image: {repository: x, tag: v9}\nglobal: {registry: r.io}\n")
        );
    }

    #[test]
    fn merge_keys_resolve_and_hostile_files_are_refused() {
        let mut u = UserValues::none();
        u.add_file(
            b"base: &b {repository: r/x, tag: '1'}\nimage:\n  <<: *b\n  tag: '2'\n",
            "m.yaml",
        )
        .unwrap();
        assert_eq!(
            u.values.get("image").unwrap(),
            &yaml("{repository: r/x, tag: '2'}")
        );
        let bomb = crate::limits::yaml_alias_bomb();
        assert!(
            UserValues::none()
                .add_file(bomb.as_bytes(), "bomb.yaml")
                .is_err()
        );
        let e = UserValues::none().add_file(b"- a\n", "l.yaml").unwrap_err();
        assert!(
            e.contains("l.yaml") && e.contains("expected a mapping") && e.contains("a list"),
            "{e}"
        );
        let e = UserValues::none()
            .add_file(b"a: 1\na: 2\n", "d.yaml")
            .unwrap_err();
        assert!(e.contains("duplicate"), "{e}");
        let deep = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert!(
            UserValues::none()
                .add_file(deep.as_bytes(), "deep.yaml")
                .unwrap_err()
                .contains("nest deeper")
        );
    }
}
