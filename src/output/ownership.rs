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
    let bytes = fs::read(&path).map_err(|e| Error::output(&path, e))?;
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return not_ours("is not a themescope manifest (not JSON)");
    };
    if value["tool"] != "themescope" {
        return not_ours("is another tool's manifest (no \"tool\": \"themescope\")");
    }
    if value["format"]
        .as_u64()
        .is_some_and(|f| f > u64::from(manifest::FORMAT))
    {
        return not_ours("was written by a newer themescope (a later manifest format)");
    }
    Ok(value["files"]
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
