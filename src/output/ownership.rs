//! Ownership: which files in the output folder themescope may replace or remove.
//!
//! In: the output folder and file names (relative, `/`-separated). Out: the previous result
//! set (the files its `manifest.json` lists), and whether a name is a file of it. Guarantees:
//! only regular files inside the folder, reached without following a symbolic link and listed
//! by a themescope manifest, count as ours; a `manifest.json` of another tool, or anything
//! where a new file goes that is not ours, is an [`Error::NotOurs`] naming it.

use std::fs;
use std::path::Path;

use super::{manifest, MANIFEST};
use crate::error::{Error, Result};

/// Whether `name` is a plain relative name inside the folder: not empty, not absolute, no `.`
/// or `..` part, no backslash. A manifest or a commit record naming anything else is ignored
/// there, so a doctored file cannot point outside the folder.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Whether `name` (relative, `/`-separated) is a regular file inside `root`, reached without
/// following a symbolic link: only such a file of the previous set is removed.
pub fn is_own_file(root: &Path, name: &str) -> bool {
    let mut path = root.to_path_buf();
    let parts: Vec<&str> = name.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let Ok(meta) = fs::symlink_metadata(&path) else {
            return false;
        };
        let last = i + 1 == parts.len();
        let ok = if last {
            meta.file_type().is_file()
        } else {
            meta.file_type().is_dir()
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Checks that the new file `name` can take its place: each folder on its way is a real
/// folder (or not there yet), and what is at its path now, if anything, is a regular file of
/// the previous set (`old`).
pub fn check_the_way(root: &Path, name: &str, old: &[String]) -> Result<()> {
    let parts: Vec<&str> = name.split('/').collect();
    let mut path = root.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::output(&path, e)),
        };
        let kind = meta.file_type();
        let not_ours = |why: &str| {
            Err(Error::NotOurs {
                path: path.clone(),
                why: why.to_string(),
            })
        };
        if kind.is_symlink() {
            return not_ours("is a symbolic link");
        }
        let last = i + 1 == parts.len();
        if !last && !kind.is_dir() {
            return not_ours("is a file where themescope writes a folder");
        }
        if last && kind.is_dir() {
            return not_ours("is a folder where themescope writes a file");
        }
        if last && !old.iter().any(|o| o == name) {
            return not_ours("was not written by themescope (its manifest does not list it)");
        }
    }
    Ok(())
}

/// The files of the previous result set: those its `manifest.json` lists, as plain relative
/// names (a doctored manifest cannot name anything outside the output folder). No manifest: no
/// previous set. A `manifest.json` that is not themescope's is an error naming it.
pub fn previous_set(root: &Path) -> Result<Vec<String>> {
    let path = root.join(MANIFEST);
    let not_ours = |why: &str| {
        Err(Error::NotOurs {
            path: path.clone(),
            why: why.to_string(),
        })
    };
    match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::output(&path, e)),
        Ok(meta) if !meta.file_type().is_file() => return not_ours("is not a regular file"),
        Ok(_) => {}
    }
    let file = fs::File::open(&path).map_err(|e| Error::output(&path, e))?;
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    let head = match serde_json::from_reader::<_, Head>(reader) {
        Ok(head) => head,
        Err(e) if e.is_io() => return Err(Error::output(&path, e.into())),
        Err(_) => return not_ours("is not a themescope manifest (not JSON)"),
    };
    if head.tool != "themescope" {
        return not_ours("is another tool's manifest (no \"tool\": \"themescope\")");
    }
    if head
        .format
        .as_u64()
        .is_some_and(|f| f > u64::from(manifest::FORMAT))
    {
        return not_ours("was written by a newer themescope (a later manifest format)");
    }
    Ok(head
        .files
        .as_array()
        .map(|files| {
            files
                .iter()
                .filter_map(|f| f.as_str())
                .filter(|f| is_plain_name(f))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default())
}

/// What [`previous_set`] reads of a manifest: its `tool`, `format` and `files` (the last of
/// each, as JSON values; absent: null). Every other field is skipped without being kept: a
/// table's manifest lists every row, hundreds of megabytes for a million of them, and reading
/// that whole into memory twice a run cost a gigabyte. Only a JSON object is a manifest.
#[derive(Default)]
struct Head {
    tool: serde_json::Value,
    format: serde_json::Value,
    files: serde_json::Value,
}

impl<'de> serde::Deserialize<'de> for Head {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Head, D::Error> {
        deserializer.deserialize_map(HeadVisitor)
    }
}

struct HeadVisitor;

impl<'de> serde::de::Visitor<'de> for HeadVisitor {
    type Value = Head;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a manifest (a JSON object)")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Head, A::Error> {
        let mut head = Head::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "tool" => head.tool = map.next_value()?,
                "format" => head.format = map.next_value()?,
                "files" => head.files = map.next_value()?,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_of(manifest: &str) -> Result<Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MANIFEST), manifest).unwrap();
        previous_set(dir.path())
    }

    fn why(manifest: &str) -> String {
        match set_of(manifest) {
            Err(Error::NotOurs { why, .. }) => why,
            other => panic!("{manifest}: {other:?}"),
        }
    }

    #[test]
    fn the_files_are_read_past_fields_of_every_kind() {
        let manifest = r#"{"tool": "themescope", "format": 1,
            "inputs": [{"document": "a\"b\\\u00e9", "sha256": "00", "n": [1, -2.5e3, true, null]}],
            "settings": {"nested": {"deeper": [[], {}]}}, "files": ["b.csv", 7, "a.csv"],
            "timings": {"total_seconds": 0.5}}"#;
        assert_eq!(set_of(manifest).unwrap(), vec!["b.csv", "a.csv"]);
        // The last of a repeated field counts, as a JSON object's would.
        let twice = r#"{"files": ["old.csv"], "tool": "themescope", "files": ["new.csv"]}"#;
        assert_eq!(set_of(twice).unwrap(), vec!["new.csv"]);
        // Files that are not a list: none of ours.
        let odd = r#"{"tool": "themescope", "files": "a.csv"}"#;
        assert_eq!(set_of(odd).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn only_a_json_object_of_themescope_is_ours() {
        assert!(why(r#"["themescope", 1, ["a.csv"]]"#).contains("not JSON"));
        assert!(why(r#"{"tool": "themescope", "files": ["a.csv"]"#).contains("not JSON"));
        assert!(why(r#"{"tool": "themescope"} {}"#).contains("not JSON"));
        assert!(why(r#"{"tool": "themescope", "x": [}"#).contains("not JSON"));
        assert!(why("{\"tool\": \"themescope\", \"x\": \"\u{1}\"}").contains("not JSON"));
        assert!(why(r#"{"tool": "other", "files": ["a.csv"]}"#).contains("another tool"));
        assert!(why(r#"{"files": ["a.csv"]}"#).contains("another tool"));
        assert!(why(r#"{"tool": ["themescope"]}"#).contains("another tool"));
        let newer = format!(
            r#"{{"tool": "themescope", "format": {}}}"#,
            manifest::FORMAT + 1
        );
        assert!(why(&newer).contains("newer themescope"));
        let this = format!(
            r#"{{"tool": "themescope", "format": {}}}"#,
            manifest::FORMAT
        );
        assert_eq!(set_of(&this).unwrap(), Vec::<String>::new());
    }
}
