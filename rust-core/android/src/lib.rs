//! Telltale's JNI bridge: the live relay ([`telltale_runtime::Relay`]) behind Android's
//! `VpnService`, driven from the Java class `org.telltale.bridge.Native`.
//!
//! ```java
//! Native.start(host, pfd.detachFd(), "{\"capture_path\": \"...\"}"); // Rust owns the fd now
//! String json = Native.snapshot();     // the exposure report, the schema of `--json`
//! Native.exportJson(out.detachFd());   // also Rust's to close
//! Native.exportPcapng(out.detachFd());
//! Native.stop();
//! ```
//!
//! - **Descriptors**: every descriptor passed in (`tunFd`, export targets) is owned by Rust
//!   from the moment of the call and closed by Rust, also when the call throws. Java must
//!   give up ownership with `ParcelFileDescriptor.detachFd()` and never close it; `getFd()`
//!   would leave two owners (fdsan aborts on Android 10+).
//! - **Errors and panics** never cross the boundary: each entry point catches both and throws
//!   `org.telltale.bridge.NativeException` with the message.
//! - **Host**: `start` keeps a global reference to the `org.telltale.bridge.Host` until the relay
//!   ends; the relay thread calls `protect` on every upstream socket, `connectionOwnerUid` once
//!   per flow (with `/proc/net` parsing when it answers -1), and `appInfo` once per uid.
//! - **State**: one relay at a time. `snapshot()` before any `start` throws ("not started");
//!   after `stop()`, or once the relay has ended on its own, it returns that relay's final
//!   report (or throws why its thread failed). `stop()` without a relay does nothing. The
//!   host's callbacks run on the relay thread and must not call `Native` (`stop` and
//!   `snapshot` wait for that thread).
//!
//! The crate builds on Linux too: `scripts/jni-test` runs it on a desktop JVM.
#![warn(missing_docs)]

pub mod config;
pub mod error;
pub mod host;
pub mod procnet;
pub mod session;

use crate::config::Config;
use crate::error::{BridgeError, panic_message};
use crate::session::{Monitor, ReportSource, adopt_fd};
use jni::objects::{JClass, JObject, JString};
use jni::sys::jint;
use jni::{Env, EnvUnowned, jni_str};
use std::os::fd::OwnedFd;
use std::sync::{Mutex, MutexGuard};

/// The one monitor of the process.
static MONITOR: Mutex<Option<Monitor>> = Mutex::new(None);

/// The monitor, created at first use; a lock poisoned by a panic is taken over (the monitor
/// stays usable: its fields are only replaced whole).
fn monitor() -> MutexGuard<'static, Option<Monitor>> {
    MONITOR.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `body`, turning its error or panic into a pending `NativeException` (falling back to
/// `IllegalStateException` when that class cannot be found) and returning `T::default()`.
fn guarded<'local, T: Default>(
    env: &mut Env<'local>,
    body: impl FnOnce(&mut Env<'local>) -> Result<T, BridgeError>,
) -> jni::errors::Result<T> {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(env)))
        .unwrap_or_else(|p| Err(BridgeError::Panic(panic_message(p.as_ref()))));
    match outcome {
        Ok(v) => Ok(v),
        Err(e) => {
            let message = e.to_string();
            // A Java exception raised inside the body (e.g. by a JNI call) is replaced.
            if env.exception_check() {
                env.exception_clear();
            }
            let msg = jni::strings::JNIString::from(message.as_str());
            // FindClass from the Java thread that called in: the app's class loader.
            let thrown = env
                .find_class(jni_str!("org/telltale/bridge/NativeException"))
                .and_then(|class| env.throw_new(&class, &msg));
            // A successful throw reports itself as `Err(JavaException)`: the exception pending.
            if let Err(why) = thrown
                && !matches!(why, jni::errors::Error::JavaException)
            {
                env.exception_clear();
                let msg = jni::strings::JNIString::from(format!("{message} ({why})").as_str());
                let _ = env.throw_new(jni_str!("java/lang/IllegalStateException"), &msg);
            }
            Ok(T::default())
        }
    }
}

/// `static native void start(Host host, int tunFd, String configJson)`: starts the relay on
/// a background thread. Rust owns `tunFd` from this call on.
// SAFETY: a JNI symbol name of this library only, with the signature Java declares.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_telltale_bridge_Native_start<'local>(
    mut unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    host: JObject<'local>,
    tun_fd: jint,
    config: JString<'local>,
) {
    unowned
        .with_env(|env| {
            guarded(env, |env| {
                // Owned first, so that it is closed on every error below.
                let tun = adopt_fd(tun_fd, "TUN descriptor")?;
                if host.is_null() {
                    return Err(BridgeError::Config("host is null".into()));
                }
                let json: String = if config.is_null() {
                    String::new()
                } else {
                    config.try_to_string(env)?
                };
                let config = Config::parse(&json)?;
                let vm = env.get_java_vm()?;
                let host = host::JavaHost::new(vm, env.new_global_ref(&host)?);
                let mut guard = monitor();
                let m = guard.get_or_insert_with(Monitor::new);
                m.start(tun, &config, host.hooks())
            })
        })
        .resolve::<jni::errors::ThrowRuntimeExAndDefault>()
}

/// `static native void stop()`: stops the relay and waits for it; harmless when none runs.
// SAFETY: a JNI symbol name of this library only, with the signature Java declares.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_telltale_bridge_Native_stop<'local>(
    mut unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
) {
    unowned
        .with_env(|env| {
            guarded(env, |_| {
                // The lock is held while the relay thread ends: a snapshot waits meanwhile.
                if let Some(m) = monitor().as_mut() {
                    m.stop();
                }
                Ok(())
            })
        })
        .resolve::<jni::errors::ThrowRuntimeExAndDefault>()
}

/// `static native String snapshot()`: the report JSON, as of now while running, else the
/// last run's final report; throws before any `start`.
// SAFETY: a JNI symbol name of this library only, with the signature Java declares.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_telltale_bridge_Native_snapshot<'local>(
    mut unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JString<'local> {
    unowned
        .with_env(|env| {
            guarded(env, |env| {
                let json = report_source()?.json()?;
                Ok(env.new_string(json)?)
            })
        })
        .resolve::<jni::errors::ThrowRuntimeExAndDefault>()
}

/// `static native void exportJson(int fd)`: writes the report JSON to `fd` and closes it.
// SAFETY: a JNI symbol name of this library only, with the signature Java declares.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_telltale_bridge_Native_exportJson<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    fd: jint,
) {
    export(unowned, fd, |out| report_source()?.export_json(out));
}

/// `static native void exportPcapng(int fd)`: writes the capture so far to `fd` and closes it.
// SAFETY: a JNI symbol name of this library only, with the signature Java declares.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_telltale_bridge_Native_exportPcapng<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    fd: jint,
) {
    export(unowned, fd, |out| {
        let capture = monitor()
            .as_ref()
            .ok_or(BridgeError::NotStarted)?
            .capture()?;
        capture.export(out)
    });
}

/// Where the report comes from, taken under the monitor's lock; the caller waits for the
/// report after the lock is let go, so a `stop()` meanwhile does not wait too.
fn report_source() -> Result<ReportSource, BridgeError> {
    monitor()
        .as_mut()
        .ok_or(BridgeError::NotStarted)?
        .report_source()
}

/// The two exports: takes `fd` over (closing it whatever happens) and writes to it.
fn export(
    mut unowned: EnvUnowned<'_>,
    fd: jint,
    write: impl FnOnce(OwnedFd) -> Result<(), BridgeError>,
) {
    unowned
        .with_env(|env| guarded(env, |_| write(adopt_fd(fd, "export descriptor")?)))
        .resolve::<jni::errors::ThrowRuntimeExAndDefault>()
}

/// Test only (`--features test-probe`, built so by `scripts/jni-test`, never for the app):
/// `static native void panic(String message)` of the test class `org.telltale.bridge.PanicProbe`
/// panics inside the guard every entry point uses, so that the test can see the panic reach
/// Java as a `NativeException` and the library stay usable.
#[cfg(feature = "test-probe")]
// SAFETY: a JNI symbol name of this library only, with the signature the test class declares.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_telltale_bridge_PanicProbe_panic<'local>(
    mut unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    message: JString<'local>,
) {
    unowned
        .with_env(|env| {
            guarded(env, |env| -> Result<(), BridgeError> {
                let message = message.try_to_string(env)?;
                panic!("{message}")
            })
        })
        .resolve::<jni::errors::ThrowRuntimeExAndDefault>()
}
