//! The errors of the bridge, each thrown to Java as an `org.telltale.bridge.NativeException`.

/// What went wrong in a bridge call.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// A descriptor from Java that is negative or not open.
    #[error("{what}: {fd} is not an open file descriptor")]
    BadFd {
        /// Which descriptor (the TUN, an export target).
        what: &'static str,
        /// The number Java gave.
        fd: i32,
    },
    /// The configuration JSON does not parse or has a bad value.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// `start` while a relay runs already.
    #[error("the monitor is already running; stop it first")]
    AlreadyRunning,
    /// A call that needs a relay (or a finished one's report) before any `start`.
    #[error("the monitor has not been started")]
    NotStarted,
    /// `exportPcapng` without a capture (no `capture_path` in the configuration).
    #[error("no capture: start the monitor with \"capture_path\" in its configuration")]
    NoCapture,
    /// The running relay did not answer a snapshot request in time.
    #[error("the monitor did not answer in time")]
    Timeout,
    /// The built-in signatures failed to load (a build defect).
    #[error("built-in signatures: {0}")]
    Signatures(String),
    /// The relay could not be set up or its thread could not start.
    #[error(transparent)]
    Runtime(#[from] telltale_runtime::Error),
    /// Reading or writing a file or descriptor failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The system's error.
        source: std::io::Error,
    },
    /// Serializing the report failed.
    #[error("report JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A JNI call failed (a Java exception in a callback, a wrong signature ...).
    #[error("JNI: {0}")]
    Jni(#[from] jni::errors::Error),
    /// Rust code panicked; the message of the panic.
    #[error("internal error (panic): {0}")]
    Panic(String),
}

/// Short for `Result<T, BridgeError>`.
pub type Result<T> = std::result::Result<T, BridgeError>;

/// The message of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}
