//! Embeds the signature files: lists every `*.toml` under the repository's `signatures/`
//! directory (recursively, hidden entries skipped, sorted by path) and writes
//! `$OUT_DIR/builtin_signatures.rs`, a slice of `(name, include_str!(path))` pairs. Adding a
//! vendor file therefore needs no code change.

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() -> Result<(), Box<dyn Error>> {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest.join("../../signatures");
    let root = root
        .canonicalize()
        .map_err(|e| format!("signature directory {}: {e}", root.display()))?;
    println!("cargo:rerun-if-changed={}", root.display());

    let mut files = Vec::new();
    collect(&root, &root, &mut files)?;
    files.sort();

    let mut out = String::from(
        "/// The embedded signature files: (name, text), sorted by name.\n\
         pub(super) static FILES: &[(&str, &str)] = &[\n",
    );
    for (name, path) in &files {
        println!("cargo:rerun-if-changed={path}");
        writeln!(out, "    ({name:?}, include_str!({path:?})),")?;
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(out_dir.join("builtin_signatures.rs"), out)?;
    Ok(())
}

/// Adds `(name, absolute path)` for every `*.toml` below `dir`, the name being
/// `signatures/<path relative to root>` with `/` separators.
fn collect(
    root: &Path,
    dir: &Path,
    files: &mut Vec<(String, String)>,
) -> Result<(), Box<dyn Error>> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else {
            return Err(format!("non-UTF-8 file name under {}", dir.display()).into());
        };
        if file_name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(root, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            let relative = path.strip_prefix(root)?;
            let mut name = String::from("signatures");
            for part in relative.components() {
                let Some(part) = part.as_os_str().to_str() else {
                    return Err(format!("non-UTF-8 path {}", path.display()).into());
                };
                name.push('/');
                name.push_str(part);
            }
            let Some(absolute) = path.to_str() else {
                return Err(format!("non-UTF-8 path {}", path.display()).into());
            };
            files.push((name, absolute.to_string()));
        }
    }
    Ok(())
}
