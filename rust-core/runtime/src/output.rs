//! Files the monitor writes: reports and captures name what the user's apps did, so they are
//! readable by their owner only.

use std::fs::File;
use std::path::Path;

/// Creates (or truncates) `path` for writing, with mode 0600 on Unix.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}
