//! The platform hooks answered by the Java `org.telltale.bridge.Host` (the `VpnService`):
//! `protect(int)`, `connectionOwnerUid(...)` and `appInfo(int)`, called from the relay thread
//! through a JNI attachment of that thread.

use crate::procnet;
use jni::objects::{JObject, JObjectArray, JString, JValue};
use jni::refs::Global;
use jni::{Env, JavaVM, jni_sig, jni_str};
use std::collections::HashMap;
use std::os::fd::RawFd;
use std::sync::Arc;
use telltale_runtime::{AppInfoSource, FlowTuple, Protector, UidResolver};

/// The Java host object, kept alive by a global reference for as long as a relay uses it.
#[derive(Clone)]
pub struct JavaHost {
    vm: JavaVM,
    host: Arc<Global<JObject<'static>>>,
}

impl JavaHost {
    /// Wraps a global reference to a `Host`.
    pub fn new(vm: JavaVM, host: Global<JObject<'static>>) -> JavaHost {
        JavaHost {
            vm,
            host: Arc::new(host),
        }
    }

    /// Runs `f` with this thread attached to the JVM (attached once, detached at thread exit).
    /// A Java exception thrown by a callback is cleared and comes back as an error.
    fn with_env<T>(
        &self,
        f: impl FnOnce(&mut Env, &JObject<'static>) -> jni::errors::Result<T>,
    ) -> Option<T> {
        let host = self.host.as_obj();
        self.vm.attach_current_thread(|env| f(env, host)).ok()
    }

    /// The hooks for [`telltale_runtime::Hooks`]: protector, uid resolver and app names.
    pub fn hooks(&self) -> telltale_runtime::Hooks {
        telltale_runtime::Hooks {
            protector: Box::new(JavaProtector(self.clone())),
            uids: Box::new(JavaUids(self.clone())),
            apps: Box::new(JavaApps {
                host: self.clone(),
                cache: HashMap::new(),
            }),
        }
    }
}

/// `VpnService.protect(fd)` through `Host.protect`.
pub struct JavaProtector(JavaHost);

impl Protector for JavaProtector {
    fn protect(&self, fd: RawFd) -> bool {
        self.0
            .with_env(|env, host| {
                env.call_method(
                    host,
                    jni_str!("protect"),
                    jni_sig!("(I)Z"),
                    &[JValue::Int(fd)],
                )?
                .z()
            })
            .unwrap_or(false)
    }
}

/// `ConnectivityManager.getConnectionOwnerUid` through `Host.connectionOwnerUid`, and the
/// `/proc/net` tables when that answers -1 (Android before 10).
pub struct JavaUids(JavaHost);

impl UidResolver for JavaUids {
    fn uid(&mut self, flow: &FlowTuple) -> Option<i32> {
        let asked = self.0.with_env(|env, host| {
            let src = env.new_string(flow.local.ip().to_string())?;
            let dst = env.new_string(flow.remote.ip().to_string())?;
            env.call_method(
                host,
                jni_str!("connectionOwnerUid"),
                jni_sig!("(ILjava/lang/String;ILjava/lang/String;I)I"),
                &[
                    JValue::Int(i32::from(flow.protocol)),
                    JValue::Object(&src),
                    JValue::Int(i32::from(flow.local.port())),
                    JValue::Object(&dst),
                    JValue::Int(i32::from(flow.remote.port())),
                ],
            )?
            .i()
        });
        match asked {
            Some(uid) if uid >= 0 => Some(uid),
            _ => procnet::lookup(flow).and_then(|uid| i32::try_from(uid).ok()),
        }
    }
}

/// Package name and label through `Host.appInfo`, asked once per uid.
pub struct JavaApps {
    host: JavaHost,
    cache: HashMap<i32, Option<(String, String)>>,
}

/// The string at `index` of a Java `String[]`, if there is one and it is not null.
fn element(
    env: &mut Env,
    array: &JObjectArray,
    index: usize,
) -> jni::errors::Result<Option<String>> {
    if array.len(env)? <= index {
        return Ok(None);
    }
    let obj = array.get_element(env, index)?;
    if obj.is_null() {
        return Ok(None);
    }
    let s = env.cast_local::<JString>(obj)?;
    Ok(Some(s.try_to_string(env)?))
}

impl AppInfoSource for JavaApps {
    fn app_info(&mut self, uid: i32) -> Option<(String, String)> {
        if let Some(known) = self.cache.get(&uid) {
            return known.clone();
        }
        let info = self
            .host
            .with_env(|env, host| {
                let got = env
                    .call_method(
                        host,
                        jni_str!("appInfo"),
                        jni_sig!("(I)[Ljava/lang/String;"),
                        &[JValue::Int(uid)],
                    )?
                    .l()?;
                if got.is_null() {
                    return Ok(None);
                }
                let array = env.cast_local::<JObjectArray>(got)?;
                let Some(package) = element(env, &array, 0)? else {
                    return Ok(None);
                };
                let label = element(env, &array, 1)?.unwrap_or_default();
                Ok(Some((package, label)))
            })
            .flatten();
        self.cache.insert(uid, info.clone());
        info
    }
}
