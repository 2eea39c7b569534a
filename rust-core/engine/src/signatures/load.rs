//! The loader: signature files (TOML text) in, a checked [`Signatures`] out.
//!
//! Each file is parsed twice: first only for its `schema_version`, so that a file written for
//! another schema is rejected for that reason rather than for a field this build does not know;
//! then in full, with unknown fields denied. Semantic checks follow across all files, and every
//! error names the file and, where one applies, the 1-based line.
//!
//! A set is read in layers (the built-in files, then a user's directory). Within a layer an id,
//! suffix, prefix or address may be defined once; a later layer may define it again, which
//! replaces the earlier layer's entry and is recorded as an [`Override`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::ops::Range;

use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

use super::model::{
    BytesAt, Category, DomainRule, EndpointRule, LayerInfo, LengthField, NetworkList, Override,
    PayloadRule, ProtocolRule, Service, SignatureError, Tag, Transport, Vendor,
};
use super::name_trie::{NameTrie, check_suffix};
use super::prefix_trie::{Prefix, PrefixTrie, parse_prefix};
use super::{SCHEMA_VERSION, Signatures};

/// The file name given to errors about the set as a whole rather than one file.
pub(super) const SET_FILE: &str = "(signature set)";

/// Longest id accepted for vendors and services.
const MAX_ID_LEN: usize = 64;

/// A string with its byte span in the file, for error lines.
type Text = Spanned<String>;

/// The first pass: only the schema version; every other key is ignored.
#[derive(Deserialize)]
struct Header {
    schema_version: Option<Spanned<i64>>,
}

/// One signature file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    /// Checked in the first pass; listed here so the key is not "unknown".
    #[serde(rename = "schema_version")]
    _schema_version: IgnoredAny,
    set: Option<SetDoc>,
    #[serde(default)]
    vendor: Vec<VendorDoc>,
    #[serde(default)]
    service: Vec<ServiceDoc>,
    #[serde(default)]
    domain: Vec<DomainDoc>,
    #[serde(default)]
    network: Vec<NetworkDoc>,
    #[serde(default)]
    payload: Vec<PayloadDoc>,
    #[serde(default)]
    endpoint: Vec<EndpointDoc>,
    #[serde(default)]
    protocol: Vec<ProtocolDoc>,
}

/// The `[set]` table; fields as in `signatures/README.md`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetDoc {
    data_version: Text,
    description: Text,
}

/// A `[[vendor]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorDoc {
    id: Text,
    name: Text,
    description: Text,
    source: Text,
    #[serde(default)]
    app_packages: Vec<Text>,
}

/// A `[[service]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceDoc {
    id: Text,
    vendor: Text,
    name: Text,
    category: Category,
    description: Text,
    #[serde(default)]
    affiliate: bool,
    source: Text,
}

/// A `[[domain]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainDoc {
    suffix: Text,
    service: Text,
    note: Text,
    source: Text,
    #[serde(default)]
    examples: Vec<Text>,
    #[serde(default)]
    tags: Vec<Tag>,
}

/// An `[[endpoint]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointDoc {
    address: Text,
    #[serde(default)]
    ports: Vec<u16>,
    service: Text,
    #[serde(default)]
    tags: Vec<Tag>,
    note: Text,
    source: Text,
}

/// A `[[protocol]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProtocolDoc {
    id: Text,
    service: Text,
    name: Text,
    note: Text,
    source: Text,
}

/// A `[[network]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkDoc {
    vendor: Text,
    date: Text,
    source: Text,
    #[serde(default)]
    examples: Vec<Text>,
    prefixes: Vec<Text>,
}

/// A `[[payload]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PayloadDoc {
    service: Text,
    transport: Transport,
    #[serde(default)]
    min_len: usize,
    bytes: Vec<BytesDoc>,
    length: Option<LengthDoc>,
    note: Text,
    source: Text,
    #[serde(default)]
    examples: Vec<Text>,
}

/// One entry of a payload rule's `bytes`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BytesDoc {
    offset: usize,
    hex: Text,
}

/// A payload rule's `length`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LengthDoc {
    offset: usize,
    size: usize,
    #[serde(default)]
    adjust: usize,
}

/// Offsets past this are refused: rules look at the first bytes of a flow only.
const MAX_PAYLOAD_OFFSET: usize = 1024;

/// Bytes from hex text; spaces are allowed between digit pairs.
fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| *b != b' ').collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

/// A file's name, text and layer, for turning spans into errors and telling overrides from
/// duplicates.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    /// Byte offsets of the text's line breaks, so that a span's line is a binary search.
    breaks: &'a [usize],
    layer: usize,
}

impl Ctx<'_> {
    fn line(&self, span: Range<usize>) -> usize {
        line_of(self.breaks, span.start)
    }

    fn err_at(&self, span: Range<usize>, reason: String) -> SignatureError {
        SignatureError {
            file: self.file.to_string(),
            line: Some(self.line(span)),
            reason,
        }
    }

    fn err(&self, value: &Text, reason: String) -> SignatureError {
        self.err_at(value.span(), reason)
    }

    /// Where a value is, for "first defined at" remarks and overrides.
    fn place(&self, value: &Text) -> Place {
        Place {
            at: format!("{}:{}", self.file, self.line(value.span())),
            layer: self.layer,
        }
    }

    /// A required one-line text field: not blank, no control characters.
    fn text(&self, field: &str, value: &Text) -> Result<String, SignatureError> {
        let v = value.get_ref();
        if v.trim().is_empty() {
            return Err(self.err(value, format!("`{field}` must not be empty")));
        }
        if let Some(c) = v.chars().find(|c| c.is_control()) {
            return Err(self.err(value, format!("`{field}` has a control character {c:?}")));
        }
        Ok(v.clone())
    }

    /// An id: lowercase letters, digits and hyphens, starting with a letter.
    fn id(&self, field: &str, value: &Text) -> Result<String, SignatureError> {
        let v = value.get_ref();
        let starts_with_letter = v.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
        let allowed = v
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !starts_with_letter || !allowed || v.len() > MAX_ID_LEN {
            return Err(self.err(
                value,
                format!(
                    "`{field}` {v:?} is not a valid id (lowercase letters, digits and hyphens, \
                     starting with a letter, at most {MAX_ID_LEN} characters)"
                ),
            ));
        }
        Ok(v.clone())
    }
}

/// Byte offsets of the line breaks of a text.
fn line_breaks(text: &str) -> Vec<usize> {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect()
}

/// The 1-based line of a byte offset, given the text's line breaks (an offset past the text
/// is on its last line).
fn line_of(breaks: &[usize], offset: usize) -> usize {
    breaks.partition_point(|&b| b < offset) + 1
}

/// Turns a TOML error into a loader error with a line when the error has a span.
fn toml_error(ctx: Ctx<'_>, error: &toml::de::Error) -> SignatureError {
    let reason = error
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    SignatureError {
        file: ctx.file.to_string(),
        line: error.span().map(|s| ctx.line(s)),
        reason,
    }
}

/// Checks a `YYYY-MM-DD` date (month 01-12, day 01-31).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let number = |r: Range<usize>| s.get(r).and_then(|d| d.parse::<u8>().ok()).unwrap_or(0);
    b.len() == 10
        && digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && (1..=12).contains(&number(5..7))
        && (1..=31).contains(&number(8..10))
}

/// Where an entry was defined: `file:line` and the layer of the file.
#[derive(Clone)]
struct Place {
    at: String,
    layer: usize,
}

/// One layer as the loader takes it: a name and `(file name, text)` pairs.
pub(super) type LayerFiles<'a> = (&'a str, Vec<(&'a str, &'a str)>);

/// Loads a set from layers of `(file name, text)` pairs. Within a layer, files are read in name
/// order so that errors and iteration order do not depend on the order the caller found them in.
/// The first layer must hold the one `[set]` table of the set; each later layer may hold its own.
pub(super) fn load(layers: &[LayerFiles<'_>]) -> Result<Signatures, SignatureError> {
    let breaks: Vec<Vec<Vec<usize>>> = layers
        .iter()
        .map(|(_, files)| files.iter().map(|(_, text)| line_breaks(text)).collect())
        .collect();
    let mut docs = Vec::new();
    let mut infos = Vec::with_capacity(layers.len());
    let mut base = None;
    for (layer, (name, files)) in layers.iter().enumerate() {
        let mut files: Vec<Ctx<'_>> = files
            .iter()
            .zip(breaks.get(layer).map(Vec::as_slice).unwrap_or_default())
            .map(|(&(file, text), breaks)| Ctx {
                file,
                text,
                breaks,
                layer,
            })
            .collect();
        files.sort_by(|a, b| a.file.cmp(b.file));
        if files.is_empty() {
            return Err(SignatureError {
                file: SET_FILE.into(),
                line: None,
                reason: format!("no signature files in {name}"),
            });
        }
        let first = docs.len();
        for ctx in &files {
            docs.push((*ctx, parse_file(*ctx)?));
        }
        let set = read_set(docs.get(first..).unwrap_or_default())?;
        if layer == 0 {
            base = Some(set.clone().ok_or_else(|| SignatureError {
                file: SET_FILE.into(),
                line: None,
                reason: "no file has a [set] table with data_version and description".into(),
            })?);
        }
        infos.push(LayerInfo {
            name: (*name).to_string(),
            data_version: set.map(|(version, _)| version),
            files: files.len(),
            sha256: digest(&files),
        });
    }
    let Some((data_version, description)) = base else {
        return Err(SignatureError {
            file: SET_FILE.into(),
            line: None,
            reason: "no signature files".into(),
        });
    };
    // Each kind is read across all files before the next, so references may point to any file.
    let mut b = Builder::default();
    for (ctx, doc) in &docs {
        doc.vendor.iter().try_for_each(|v| b.add_vendor(*ctx, v))?;
    }
    for (ctx, doc) in &docs {
        doc.service
            .iter()
            .try_for_each(|s| b.add_service(*ctx, s))?;
    }
    for (ctx, doc) in &docs {
        doc.domain.iter().try_for_each(|d| b.add_rule(*ctx, d))?;
    }
    for (ctx, doc) in &docs {
        doc.network
            .iter()
            .try_for_each(|n| b.add_network(*ctx, n))?;
    }
    for (ctx, doc) in &docs {
        doc.payload
            .iter()
            .try_for_each(|p| b.add_payload(*ctx, p))?;
        doc.endpoint
            .iter()
            .try_for_each(|e| b.add_endpoint(*ctx, e))?;
        doc.protocol
            .iter()
            .try_for_each(|p| b.add_protocol(*ctx, p))?;
    }
    let rule_examples = std::mem::take(&mut b.rule_examples);
    let list_examples = std::mem::take(&mut b.list_examples);
    let rule_layer = std::mem::take(&mut b.rule_layer);
    let list_layer: Vec<usize> = list_examples.iter().map(|(ctx, _)| ctx.layer).collect();
    let signatures = b.finish(data_version, description, infos);
    check_rule_examples(&signatures, &rule_examples, &rule_layer)?;
    check_list_examples(&signatures, &list_examples, &list_layer)?;
    Ok(signatures)
}

/// SHA-256 over a layer's file names and texts (in name order), in hex: which data a report
/// was made with.
fn digest(files: &[Ctx<'_>]) -> String {
    sha256_hex(files.iter().flat_map(|ctx| [ctx.file, ctx.text]))
}

/// SHA-256 in hex over length-prefixed parts, so that no two lists of parts hash alike.
fn sha256_hex<'p>(parts: impl Iterator<Item = &'p str>) -> String {
    let mut d = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        d.update(&(part.len() as u64).to_be_bytes());
        d.update(part.as_bytes());
    }
    telltale_wire::hex::encode(d.finish().as_ref())
}

/// The set's id: its data version and the start of a hash over every layer's hash.
fn set_id(data_version: &str, layers: &[LayerInfo]) -> String {
    let all = sha256_hex(layers.iter().map(|l| l.sha256.as_str()));
    format!("{data_version}#{}", all.get(..12).unwrap_or_default())
}

/// The data version and description of a layer's `[set]` table, if it has one; a second one
/// in the same layer is an error.
fn read_set(docs: &[(Ctx<'_>, FileDoc)]) -> Result<Option<(String, String)>, SignatureError> {
    let mut set: Option<(String, String, Place)> = None;
    for (ctx, doc) in docs {
        let Some(s) = &doc.set else { continue };
        if let Some((_, _, first)) = &set {
            return Err(ctx.err(
                &s.data_version,
                format!("a second [set] table (the first is at {})", first.at),
            ));
        }
        set = Some((
            ctx.text("data_version", &s.data_version)?,
            ctx.text("description", &s.description)?,
            ctx.place(&s.data_version),
        ));
    }
    Ok(set.map(|(version, description, _)| (version, description)))
}

/// The set under construction, with what the final checks need.
#[derive(Default)]
struct Builder<'a> {
    vendors: Vec<Vendor>,
    vendor_index: HashMap<String, (usize, Place)>,
    services: Vec<Service>,
    service_vendor: Vec<usize>,
    service_index: HashMap<String, (usize, Place)>,
    rules: Vec<DomainRule>,
    rule_service: Vec<usize>,
    /// Per rule: the layer that defined it.
    rule_layer: Vec<usize>,
    names: NameTrie,
    lists: Vec<NetworkList>,
    list_vendor: Vec<usize>,
    prefixes: Vec<(usize, Prefix)>,
    prefix_places: Vec<Place>,
    v4: PrefixTrie,
    v6: PrefixTrie,
    /// Payload rules with the index of their service and their layer.
    payloads: Vec<(PayloadRule, usize, usize)>,
    /// Endpoint rules with the index of their service and their layer, by address.
    endpoints: foldhash::HashMap<IpAddr, Vec<(EndpointRule, usize, usize)>>,
    /// Protocol rules with the index of their service and their place, by id.
    protocols: foldhash::HashMap<String, (ProtocolRule, usize, Place)>,
    overrides: Vec<Override>,
    /// Per rule: its file and its examples with their spans.
    rule_examples: Vec<(Ctx<'a>, &'a [Text])>,
    /// Per network list: its file and its examples with their spans.
    list_examples: Vec<(Ctx<'a>, &'a [Text])>,
}

impl<'a> Builder<'a> {
    /// A second definition of an entry first defined at `first`: an error within one layer; in
    /// a later layer, an override that replaces the entry (the caller does the replacing).
    fn redefine(
        &mut self,
        ctx: Ctx<'_>,
        value: &Text,
        what: String,
        first: &Place,
    ) -> Result<(), SignatureError> {
        if first.layer >= ctx.layer {
            return Err(ctx.err(
                value,
                format!("duplicate {what} (first defined at {})", first.at),
            ));
        }
        self.overrides.push(Override {
            entry: what,
            by: ctx.place(value).at,
            replaced: first.at.clone(),
        });
        Ok(())
    }

    fn add_vendor(&mut self, ctx: Ctx<'a>, v: &VendorDoc) -> Result<(), SignatureError> {
        let id = ctx.id("id", &v.id)?;
        let vendor = Vendor {
            id: id.clone(),
            name: ctx.text("name", &v.name)?,
            description: ctx.text("description", &v.description)?,
            source: ctx.text("source", &v.source)?,
            app_packages: v
                .app_packages
                .iter()
                .map(|p| ctx.text("app_packages", p))
                .collect::<Result<_, _>>()?,
        };
        let index = match self.vendor_index.get(&id).cloned() {
            Some((i, first)) => {
                self.redefine(ctx, &v.id, format!("vendor id `{id}`"), &first)?;
                i
            }
            None => {
                self.vendors.push(vendor.clone());
                self.vendors.len() - 1
            }
        };
        if let Some(slot) = self.vendors.get_mut(index) {
            *slot = vendor;
        }
        self.vendor_index.insert(id, (index, ctx.place(&v.id)));
        Ok(())
    }

    fn vendor_ref(&self, ctx: Ctx<'_>, value: &Text) -> Result<usize, SignatureError> {
        self.vendor_index
            .get(value.get_ref())
            .map(|(i, _)| *i)
            .ok_or_else(|| ctx.err(value, format!("unknown vendor `{}`", value.get_ref())))
    }

    fn service_ref(&self, ctx: Ctx<'_>, value: &Text) -> Result<usize, SignatureError> {
        self.service_index
            .get(value.get_ref())
            .map(|(i, _)| *i)
            .ok_or_else(|| ctx.err(value, format!("unknown service `{}`", value.get_ref())))
    }

    fn add_service(&mut self, ctx: Ctx<'a>, s: &ServiceDoc) -> Result<(), SignatureError> {
        let id = ctx.id("id", &s.id)?;
        let vendor = self.vendor_ref(ctx, &s.vendor)?;
        let service = Service {
            id: id.clone(),
            vendor: s.vendor.get_ref().clone(),
            name: ctx.text("name", &s.name)?,
            category: s.category,
            description: ctx.text("description", &s.description)?,
            affiliate: s.affiliate,
            source: ctx.text("source", &s.source)?,
        };
        let index = match self.service_index.get(&id).cloned() {
            Some((i, first)) => {
                self.redefine(ctx, &s.id, format!("service id `{id}`"), &first)?;
                i
            }
            None => {
                self.services.push(service.clone());
                self.service_vendor.push(vendor);
                self.services.len() - 1
            }
        };
        if let Some(slot) = self.services.get_mut(index) {
            *slot = service;
        }
        if let Some(slot) = self.service_vendor.get_mut(index) {
            *slot = vendor;
        }
        self.service_index.insert(id, (index, ctx.place(&s.id)));
        Ok(())
    }

    fn add_rule(&mut self, ctx: Ctx<'a>, d: &'a DomainDoc) -> Result<(), SignatureError> {
        let suffix = d.suffix.get_ref();
        check_suffix(suffix).map_err(|reason| ctx.err(&d.suffix, reason))?;
        let service = self.service_ref(ctx, &d.service)?;
        let rule = DomainRule {
            suffix: suffix.clone(),
            service: d.service.get_ref().clone(),
            note: ctx.text("note", &d.note)?,
            source: ctx.text("source", &d.source)?,
            examples: d.examples.iter().map(|e| e.get_ref().clone()).collect(),
            tags: d.tags.clone(),
            file: ctx.file.to_string(),
            line: ctx.line(d.suffix.span()),
        };
        let Some(first) = self.names.insert(suffix, self.rules.len()) else {
            self.rules.push(rule);
            self.rule_service.push(service);
            self.rule_layer.push(ctx.layer);
            self.rule_examples.push((ctx, &d.examples));
            return Ok(());
        };
        let place = Place {
            at: self
                .rules
                .get(first)
                .map(|r| format!("{}:{}", r.file, r.line))
                .unwrap_or_default(),
            layer: self.rule_layer.get(first).copied().unwrap_or(ctx.layer),
        };
        self.redefine(ctx, &d.suffix, format!("domain suffix `{suffix}`"), &place)?;
        if let Some(slot) = self.rules.get_mut(first) {
            *slot = rule;
        }
        if let Some(slot) = self.rule_service.get_mut(first) {
            *slot = service;
        }
        if let Some(slot) = self.rule_layer.get_mut(first) {
            *slot = ctx.layer;
        }
        if let Some(slot) = self.rule_examples.get_mut(first) {
            *slot = (ctx, &d.examples);
        }
        Ok(())
    }

    fn add_network(&mut self, ctx: Ctx<'a>, n: &'a NetworkDoc) -> Result<(), SignatureError> {
        let vendor = self.vendor_ref(ctx, &n.vendor)?;
        let date = ctx.text("date", &n.date)?;
        if !is_date(&date) {
            return Err(ctx.err(&n.date, format!("`date` {date:?} is not a YYYY-MM-DD date")));
        }
        let source = ctx.text("source", &n.source)?;
        if n.prefixes.is_empty() {
            return Err(ctx.err(&n.vendor, "the network list has no prefixes".into()));
        }
        let list = self.lists.len();
        let mut texts = Vec::with_capacity(n.prefixes.len());
        for p in &n.prefixes {
            let prefix = parse_prefix(p.get_ref()).map_err(|reason| ctx.err(p, reason))?;
            let trie = match prefix.addr {
                IpAddr::V4(_) => &mut self.v4,
                IpAddr::V6(_) => &mut self.v6,
            };
            let text = prefix.to_string();
            texts.push(text.clone());
            match trie.insert(prefix.key(), prefix.len, self.prefixes.len()) {
                None => {
                    self.prefixes.push((list, prefix));
                    self.prefix_places.push(ctx.place(p));
                }
                Some(first) => {
                    let Some(place) = self.prefix_places.get(first).cloned() else {
                        continue;
                    };
                    self.redefine(ctx, p, format!("prefix `{text}`"), &place)?;
                    if let Some((old_list, _)) = self.prefixes.get(first).copied()
                        && let Some(old) = self.lists.get_mut(old_list)
                    {
                        old.prefixes.retain(|t| *t != text);
                    }
                    if let Some(slot) = self.prefixes.get_mut(first) {
                        *slot = (list, prefix);
                    }
                    if let Some(slot) = self.prefix_places.get_mut(first) {
                        *slot = ctx.place(p);
                    }
                }
            }
        }
        let mut examples = Vec::with_capacity(n.examples.len());
        for e in &n.examples {
            let addr: IpAddr = e.get_ref().parse().map_err(|_| {
                ctx.err(e, format!("example `{}` is not an IP address", e.get_ref()))
            })?;
            examples.push(addr);
        }
        self.lists.push(NetworkList {
            vendor: n.vendor.get_ref().clone(),
            date,
            source,
            prefixes: texts,
            examples,
            file: ctx.file.to_string(),
            line: ctx.line(n.vendor.span()),
        });
        self.list_vendor.push(vendor);
        self.list_examples.push((ctx, &n.examples));
        Ok(())
    }

    fn add_payload(&mut self, ctx: Ctx<'a>, p: &PayloadDoc) -> Result<(), SignatureError> {
        let service = self.service_ref(ctx, &p.service)?;
        if p.bytes.is_empty() {
            return Err(ctx.err(
                &p.service,
                "a payload rule needs at least one `bytes` entry".into(),
            ));
        }
        let mut bytes = Vec::with_capacity(p.bytes.len());
        let mut min_len = p.min_len;
        for b in &p.bytes {
            let value = parse_hex(b.hex.get_ref())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    ctx.err(
                        &b.hex,
                        format!("`hex` {:?} is not hex bytes", b.hex.get_ref()),
                    )
                })?;
            if b.offset + value.len() > MAX_PAYLOAD_OFFSET {
                return Err(ctx.err(&b.hex, format!("bytes past offset {MAX_PAYLOAD_OFFSET}")));
            }
            min_len = min_len.max(b.offset + value.len());
            bytes.push(BytesAt {
                offset: b.offset,
                bytes: value,
            });
        }
        let length = match &p.length {
            None => None,
            Some(l) if matches!(l.size, 1 | 2 | 4) && l.offset + l.size <= MAX_PAYLOAD_OFFSET => {
                min_len = min_len.max(l.offset + l.size);
                Some(LengthField {
                    offset: l.offset,
                    size: l.size,
                    adjust: l.adjust,
                })
            }
            Some(_) => {
                return Err(ctx.err(
                    &p.service,
                    format!("`length` needs a size of 1, 2 or 4 within the first {MAX_PAYLOAD_OFFSET} bytes"),
                ));
            }
        };
        let mut rule = PayloadRule {
            service: p.service.get_ref().clone(),
            transport: p.transport,
            min_len,
            bytes,
            length,
            note: ctx.text("note", &p.note)?,
            source: ctx.text("source", &p.source)?,
            examples: Vec::new(),
            file: ctx.file.to_string(),
            line: ctx.line(p.service.span()),
        };
        for e in &p.examples {
            let mut example = parse_hex(e.get_ref())
                .ok_or_else(|| ctx.err(e, format!("example {:?} is not hex bytes", e.get_ref())))?;
            if example.len() < rule.min_len {
                example.resize(rule.min_len, 0);
            }
            if !rule.matches(rule.transport, &example) {
                return Err(ctx.err(
                    e,
                    format!("example {:?} does not fit its payload rule", e.get_ref()),
                ));
            }
            rule.examples.push(example);
        }
        self.payloads.push((rule, service, ctx.layer));
        Ok(())
    }

    fn add_endpoint(&mut self, ctx: Ctx<'a>, e: &EndpointDoc) -> Result<(), SignatureError> {
        let service = self.service_ref(ctx, &e.service)?;
        let address: IpAddr = e.address.get_ref().parse().map_err(|_| {
            ctx.err(
                &e.address,
                format!("`address` {:?} is not an IP address", e.address.get_ref()),
            )
        })?;
        let overlapping: Vec<Place> = self
            .endpoints
            .get(&address)
            .into_iter()
            .flatten()
            .filter(|(r, _, _)| {
                r.ports.is_empty()
                    || e.ports.is_empty()
                    || r.ports.iter().any(|p| e.ports.contains(p))
            })
            .map(|(r, _, layer)| Place {
                at: format!("{}:{}", r.file, r.line),
                layer: *layer,
            })
            .collect();
        for first in &overlapping {
            self.redefine(ctx, &e.address, format!("endpoint {address}"), first)?;
        }
        let rules = self.endpoints.entry(address).or_default();
        // Only earlier layers' rules can be left overlapping here: they are replaced.
        rules.retain(|(r, _, _)| {
            !(r.ports.is_empty()
                || e.ports.is_empty()
                || r.ports.iter().any(|p| e.ports.contains(p)))
        });
        rules.push((
            EndpointRule {
                address,
                ports: e.ports.clone(),
                service: e.service.get_ref().clone(),
                tags: e.tags.clone(),
                note: ctx.text("note", &e.note)?,
                source: ctx.text("source", &e.source)?,
                file: ctx.file.to_string(),
                line: ctx.line(e.address.span()),
            },
            service,
            ctx.layer,
        ));
        Ok(())
    }

    fn add_protocol(&mut self, ctx: Ctx<'a>, p: &ProtocolDoc) -> Result<(), SignatureError> {
        let service = self.service_ref(ctx, &p.service)?;
        let id = ctx.id("id", &p.id)?;
        if let Some((_, _, first)) = self.protocols.get(&id).cloned() {
            self.redefine(ctx, &p.id, format!("protocol id `{id}`"), &first)?;
        }
        let rule = ProtocolRule {
            id: id.clone(),
            service: p.service.get_ref().clone(),
            name: ctx.text("name", &p.name)?,
            note: ctx.text("note", &p.note)?,
            source: ctx.text("source", &p.source)?,
        };
        self.protocols.insert(id, (rule, service, ctx.place(&p.id)));
        Ok(())
    }

    fn finish(
        mut self,
        data_version: String,
        description: String,
        layers: Vec<LayerInfo>,
    ) -> Signatures {
        let index = |map: HashMap<String, (usize, Place)>| {
            map.into_iter().map(|(id, (i, _))| (id, i)).collect()
        };
        // A later layer's payload rules are tried first, so that a user's rule can take a
        // pattern from a built-in one.
        self.payloads
            .sort_by_key(|(_, _, layer)| std::cmp::Reverse(*layer));
        let (payloads, payload_service) = self
            .payloads
            .into_iter()
            .map(|(rule, service, _)| (rule, service))
            .unzip();
        Signatures {
            schema_version: SCHEMA_VERSION,
            id: set_id(&data_version, &layers),
            data_version,
            description,
            layers,
            overrides: self.overrides,
            vendors: self.vendors,
            vendor_index: index(self.vendor_index),
            services: self.services,
            service_index: index(self.service_index),
            service_vendor: self.service_vendor,
            rules: self.rules,
            rule_service: self.rule_service,
            names: self.names,
            lists: self.lists,
            list_vendor: self.list_vendor,
            prefixes: self.prefixes,
            v4: self.v4,
            v6: self.v6,
            payloads,
            payload_service,
            endpoints: self
                .endpoints
                .into_iter()
                .map(|(addr, rules)| {
                    let rules = rules.into_iter().map(|(r, s, _)| (r, s)).collect();
                    (addr, rules)
                })
                .collect(),
            protocols: self
                .protocols
                .into_iter()
                .map(|(id, (rule, service, _))| (id, (rule, service)))
                .collect(),
        }
    }
}

/// The schema version when a top-level line before the first table says plainly
/// `schema_version = <digits>`; `None` otherwise, and the TOML reading decides.
fn plain_version(text: &str) -> Option<i64> {
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            return None;
        }
        if let Some(rest) = line.strip_prefix("schema_version") {
            let value = rest.trim_start().strip_prefix('=')?;
            let value = value.split('#').next()?.trim();
            return value
                .parse()
                .ok()
                .filter(|_| value.bytes().all(|b| b.is_ascii_digit()));
        }
    }
    None
}

/// Both passes over one file. The first, for the schema version alone, is skipped when the
/// version is written plainly and is this build's: it would read the whole file once more.
fn parse_file(ctx: Ctx<'_>) -> Result<FileDoc, SignatureError> {
    if plain_version(ctx.text) == Some(i64::from(SCHEMA_VERSION)) {
        return toml::from_str(ctx.text).map_err(|e| toml_error(ctx, &e));
    }
    let header: Header = toml::from_str(ctx.text).map_err(|e| toml_error(ctx, &e))?;
    let Some(version) = header.schema_version else {
        return Err(SignatureError {
            file: ctx.file.to_string(),
            line: None,
            reason: format!("missing `schema_version = {SCHEMA_VERSION}`"),
        });
    };
    if *version.get_ref() != i64::from(SCHEMA_VERSION) {
        return Err(ctx.err_at(
            version.span(),
            format!(
                "unsupported schema_version {} (this build reads schema_version {SCHEMA_VERSION})",
                version.get_ref()
            ),
        ));
    }
    toml::from_str(ctx.text).map_err(|e| toml_error(ctx, &e))
}

/// Every rule example must be matched by its own rule, not a longer one or none.
///
/// An example that a later layer's rule took over is not an error: the later layer meant it.
fn check_rule_examples(
    signatures: &Signatures,
    examples: &[(Ctx<'_>, &[Text])],
    rule_layer: &[usize],
) -> Result<(), SignatureError> {
    for (rule, (ctx, examples)) in examples.iter().enumerate() {
        let suffix = signatures
            .rules
            .get(rule)
            .map(|r| r.suffix.as_str())
            .unwrap_or_default();
        for e in *examples {
            let found = signatures.rule_index(e.get_ref());
            let taken = found.and_then(|i| rule_layer.get(i)) > Some(&ctx.layer);
            if found == Some(rule) || taken {
                continue;
            }
            let instead = match found.and_then(|i| signatures.rules.get(i)) {
                Some(r) => format!("the rule for `{}` at {}:{}", r.suffix, r.file, r.line),
                None => "no rule".to_string(),
            };
            return Err(ctx.err(
                e,
                format!(
                    "example `{}` is not matched by the rule for `{suffix}`: it matches {instead}",
                    e.get_ref()
                ),
            ));
        }
    }
    Ok(())
}

/// Every network example must fall in its own list (by longest prefix), unless a later layer's
/// list took the address over.
fn check_list_examples(
    signatures: &Signatures,
    examples: &[(Ctx<'_>, &[Text])],
    list_layer: &[usize],
) -> Result<(), SignatureError> {
    for (list, (ctx, examples)) in examples.iter().enumerate() {
        for e in *examples {
            let Ok(addr) = e.get_ref().parse::<IpAddr>() else {
                continue;
            };
            let found = signatures
                .prefix_index(addr)
                .and_then(|i| signatures.prefixes.get(i));
            match found {
                Some((l, _)) if *l == list || list_layer.get(*l) > Some(&ctx.layer) => {}
                Some((l, prefix)) => {
                    let place = signatures
                        .lists
                        .get(*l)
                        .map(|n| format!("{}:{}", n.file, n.line))
                        .unwrap_or_default();
                    return Err(ctx.err(
                        e,
                        format!(
                            "example `{addr}` falls in {prefix} of the network list at {place}, not in this list"
                        ),
                    ));
                }
                None => {
                    return Err(
                        ctx.err(e, format!("example `{addr}` is in no prefix of this list"))
                    );
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signatures::Transport;

    const SET: &str = "schema_version = 1

[set]
data_version = \"2026-11-26\"
description = \"A test set.\"
";

    /// A vendor (id on line 4) and a service (id on line 10).
    const ACME: &str = "schema_version = 1

[[vendor]]
id = \"acme\"
name = \"Acme\"
description = \"A test vendor.\"
source = \"test\"

[[service]]
id = \"chat\"
vendor = \"acme\"
name = \"Acme Chat\"
category = \"messaging\"
description = \"A test service.\"
source = \"test\"
";

    /// One rule (suffix on line 4) and one network list (prefix on line 14).
    const RULES: &str = "schema_version = 1

[[domain]]
suffix = \"acme.example\"
service = \"chat\"
note = \"Acme chat servers\"
source = \"test\"
examples = [\"acme.example\", \"Chat.Acme.Example.\"]

[[network]]
vendor = \"acme\"
date = \"2026-11-26\"
source = \"test\"
prefixes = [\"192.0.2.0/24\", \"2001:db8::/32\"]
examples = [\"192.0.2.7\", \"2001:db8::1\"]
";

    fn load_files(files: &[(&str, &str)]) -> Result<Signatures, SignatureError> {
        Signatures::from_texts(
            files
                .iter()
                .map(|(name, text)| (name.to_string(), text.to_string())),
        )
    }

    /// The error from loading the base set plus one extra file `x.toml`.
    fn error(extra: &str) -> (String, Option<usize>, String) {
        match load_files(&[("set.toml", SET), ("acme.toml", ACME), ("x.toml", extra)]) {
            Ok(_) => panic!("loaded:\n{extra}"),
            Err(e) => (e.file, e.line, e.reason),
        }
    }

    fn at(file: &str, line: usize, reason: &str) -> (String, Option<usize>, String) {
        (file.to_string(), Some(line), reason.to_string())
    }

    /// `x.toml` holding one [[domain]] whose suffix is on line 4 and examples on line 8.
    fn domain(suffix: &str, service: &str, examples: &str) -> String {
        format!(
            "schema_version = 1\n\n[[domain]]\nsuffix = \"{suffix}\"\nservice = \"{service}\"\n\
             note = \"n\"\nsource = \"s\"\nexamples = [{examples}]\n"
        )
    }

    /// `x.toml` holding one [[network]] whose vendor is on line 4 and prefixes on line 8.
    fn network(vendor: &str, date: &str, prefixes: &str, examples: &str) -> String {
        format!(
            "schema_version = 1\n\n[[network]]\nvendor = \"{vendor}\"\ndate = \"{date}\"\n\
             source = \"s\"\nexamples = [{examples}]\nprefixes = [{prefixes}]\n"
        )
    }

    #[test]
    fn a_valid_set_loads_in_any_file_order() {
        let files = [
            ("set.toml", SET),
            ("acme.toml", ACME),
            ("rules.toml", RULES),
        ];
        let a = load_files(&files).unwrap();
        let b = load_files(&[files[2], files[0], files[1]]).unwrap();
        for s in [&a, &b] {
            assert_eq!(s.schema_version(), 1);
            assert_eq!(s.data_version(), "2026-11-26");
            assert_eq!(s.description(), "A test set.");
            let rule = s.rules().next().unwrap();
            assert_eq!(
                (rule.suffix.as_str(), rule.file.as_str(), rule.line),
                ("acme.example", "rules.toml", 4)
            );
            assert_eq!(rule.examples, ["acme.example", "Chat.Acme.Example."]);
            let list = s.network_lists().next().unwrap();
            assert_eq!(
                (
                    list.vendor.as_str(),
                    list.date.as_str(),
                    list.file.as_str(),
                    list.line
                ),
                ("acme", "2026-11-26", "rules.toml", 11)
            );
            assert_eq!(list.prefixes, ["192.0.2.0/24", "2001:db8::/32"]);
            let service = s.service("chat").unwrap();
            assert_eq!(service.category, Category::Messaging);
            assert!(!service.affiliate);
        }
    }

    #[test]
    fn toml_syntax_errors_have_lines() {
        assert_eq!(
            error("schema_version = 1\n\n[[domain]]\nsuffix = \"qq.com\nservice = \"chat\"\n"),
            at("x.toml", 4, "invalid basic string, expected `\"`")
        );
        assert_eq!(
            error("schema_version = 1\n[[domain]]\nsuffix = = \"a.b\"\n"),
            at("x.toml", 3, "extra `=`, expected nothing")
        );
    }

    #[test]
    fn schema_version_is_checked_first() {
        assert_eq!(
            error("[[vendor]]\nid = \"x\"\n"),
            ("x.toml".into(), None, "missing `schema_version = 1`".into())
        );
        assert_eq!(
            error("# a future file\nschema_version = 2\n[[vendor]]\nnew_field = 1\n"),
            at(
                "x.toml",
                2,
                "unsupported schema_version 2 (this build reads schema_version 1)"
            )
        );
        assert_eq!(
            error("schema_version = \"1\"\n"),
            at("x.toml", 1, "invalid type: string \"1\", expected i64")
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        assert_eq!(
            error(&format!(
                "{}comment = \"x\"\n",
                domain("a.example", "chat", "")
            )),
            at(
                "x.toml",
                9,
                "unknown field `comment`, expected one of `suffix`, `service`, `note`, `source`, `examples`, `tags`"
            )
        );
        assert_eq!(
            error("schema_version = 1\n\n[services]\nid = \"x\"\n"),
            at(
                "x.toml",
                3,
                "unknown field `services`, expected one of `schema_version`, `set`, `vendor`, `service`, `domain`, `network`, `payload`, `endpoint`, `protocol`"
            )
        );
    }

    #[test]
    fn missing_fields_are_rejected_at_their_table() {
        assert_eq!(
            error(
                "schema_version = 1\n\n[[domain]]\nsuffix = \"a.example\"\nservice = \"chat\"\nnote = \"n\"\n"
            ),
            at("x.toml", 3, "missing field `source`")
        );
    }

    #[test]
    fn bad_category() {
        let text = ACME
            .replace("[[vendor]]", "[[vendor-x]]")
            .replace("id = \"chat\"", "id = \"other\"");
        let text = text.replace("category = \"messaging\"", "category = \"video\"");
        let text = text.replacen("[[vendor-x]]\nid = \"acme\"\nname = \"Acme\"\ndescription = \"A test vendor.\"\nsource = \"test\"\n\n", "", 1);
        assert_eq!(
            error(&text),
            at(
                "x.toml",
                7,
                "unknown variant `video`, expected one of `messaging`, `analytics`, `crash`, `ads`, `push`, `webview-code`, `maps`, `cloud`, `payments`, `games`, `dns`, `input-method`, `media`, `other`"
            )
        );
    }

    #[test]
    fn unknown_references() {
        assert_eq!(
            error(&domain("a.example", "chta", "")),
            at("x.toml", 5, "unknown service `chta`")
        );
        assert_eq!(
            error(&network("acne", "2026-11-26", "\"192.0.2.0/24\"", "")),
            at("x.toml", 4, "unknown vendor `acne`")
        );
        let service = "schema_version = 1\n\n[[service]]\nid = \"pay\"\nvendor = \"nobody\"\nname = \"P\"\n\
                       category = \"payments\"\ndescription = \"d\"\nsource = \"s\"\n";
        assert_eq!(error(service), at("x.toml", 5, "unknown vendor `nobody`"));
    }

    #[test]
    fn duplicate_ids() {
        let service = "schema_version = 1\n\n[[service]]\nid = \"chat\"\nvendor = \"acme\"\nname = \"C\"\n\
                       category = \"messaging\"\ndescription = \"d\"\nsource = \"s\"\n";
        assert_eq!(
            error(service),
            at(
                "x.toml",
                4,
                "duplicate service id `chat` (first defined at acme.toml:10)"
            )
        );
        let vendor = "schema_version = 1\n\n[[vendor]]\nid = \"acme\"\nname = \"A\"\ndescription = \"d\"\nsource = \"s\"\n";
        assert_eq!(
            error(vendor),
            at(
                "x.toml",
                4,
                "duplicate vendor id `acme` (first defined at acme.toml:4)"
            )
        );
    }

    #[test]
    fn bad_ids() {
        let service = "schema_version = 1\n\n[[service]]\nid = \"We Chat\"\nvendor = \"acme\"\nname = \"C\"\n\
                       category = \"messaging\"\ndescription = \"d\"\nsource = \"s\"\n";
        assert_eq!(
            error(service),
            at(
                "x.toml",
                4,
                "`id` \"We Chat\" is not a valid id (lowercase letters, digits and hyphens, starting with a letter, at most 64 characters)"
            )
        );
    }

    #[test]
    fn duplicate_suffixes() {
        let both = format!(
            "{}{}",
            RULES,
            domain("acme.example", "chat", "").replace("schema_version = 1\n", "")
        );
        assert_eq!(
            error(&both),
            at(
                "x.toml",
                18,
                "duplicate domain suffix `acme.example` (first defined at x.toml:4)"
            )
        );
    }

    #[test]
    fn invalid_suffixes() {
        let cases = [
            ("qq..com", "domain suffix `qq..com` has an empty label"),
            (
                "com",
                "domain suffix `com` is a bare top-level domain; name at least two labels",
            ),
            ("q_q.com", "domain suffix `q_q.com` has a bad character '_'"),
            (
                "QQ.com",
                "domain suffix `QQ.com` has a bad character 'Q' (write domain suffixes in lowercase)",
            ),
            (
                "qq.com.",
                "domain suffix `qq.com.` has a trailing dot; write it without one",
            ),
            ("", "empty domain suffix"),
        ];
        for (suffix, reason) in cases {
            assert_eq!(
                error(&domain(suffix, "chat", "")),
                at("x.toml", 4, reason),
                "{suffix}"
            );
        }
    }

    #[test]
    fn empty_and_control_texts() {
        let text = domain("a.example", "chat", "").replace("source = \"s\"", "source = \"  \"");
        assert_eq!(error(&text), at("x.toml", 7, "`source` must not be empty"));
        let text =
            domain("a.example", "chat", "").replace("note = \"n\"", "note = \"a\\u001b[31mb\"");
        assert_eq!(
            error(&text),
            at("x.toml", 6, "`note` has a control character '\\u{1b}'")
        );
    }

    #[test]
    fn invalid_prefixes() {
        let cases = [
            (
                "43.130.1.0/16",
                "prefix `43.130.1.0/16` has host bits set (the network is 43.130.0.0/16)",
            ),
            (
                "43.130.0.0/33",
                "prefix `43.130.0.0/33` has length 33, out of range for IPv4 (8-32)",
            ),
            (
                "2402:4e00::/129",
                "prefix `2402:4e00::/129` has length 129, out of range for IPv6 (16-128)",
            ),
            (
                "43.130.0.0",
                "prefix `43.130.0.0` has no length; write it as address/length",
            ),
            ("43.130.0.0/x", "prefix `43.130.0.0/x` has a bad length `x`"),
            (
                "43.130.0/16",
                "prefix `43.130.0/16` does not start with an IPv4 or IPv6 address",
            ),
        ];
        for (prefix, reason) in cases {
            let text = network(
                "acme",
                "2026-11-26",
                &format!("\n  \"10.0.0.0/8\",\n  \"{prefix}\",\n"),
                "",
            );
            assert_eq!(error(&text), at("x.toml", 10, reason), "{prefix}");
        }
    }

    #[test]
    fn duplicate_prefixes() {
        let text = network(
            "acme",
            "2026-11-26",
            "\n  \"10.0.0.0/8\",\n  \"10.0.0.0/8\",\n",
            "",
        );
        assert_eq!(
            error(&text),
            at(
                "x.toml",
                10,
                "duplicate prefix `10.0.0.0/8` (first defined at x.toml:9)"
            )
        );
        let text = network(
            "acme",
            "2026-11-26",
            "\"2402:4e00::/32\", \"2402:4E00:0::/32\"",
            "",
        );
        assert_eq!(
            error(&text),
            at(
                "x.toml",
                8,
                "duplicate prefix `2402:4e00::/32` (first defined at x.toml:8)"
            )
        );
    }

    #[test]
    fn bad_network_lists() {
        assert_eq!(
            error(&network("acme", "2024-8-2", "\"10.0.0.0/8\"", "")),
            at("x.toml", 5, "`date` \"2024-8-2\" is not a YYYY-MM-DD date")
        );
        assert_eq!(
            error(&network("acme", "2024-13-02", "\"10.0.0.0/8\"", "")),
            at(
                "x.toml",
                5,
                "`date` \"2024-13-02\" is not a YYYY-MM-DD date"
            )
        );
        assert_eq!(
            error(&network("acme", "2024-08-02", "", "")),
            at("x.toml", 4, "the network list has no prefixes")
        );
    }

    #[test]
    fn examples_must_match_their_own_entry() {
        assert_eq!(
            error(&domain("a.example", "chat", "\"b.example\"")),
            at(
                "x.toml",
                8,
                "example `b.example` is not matched by the rule for `a.example`: it matches no rule"
            )
        );
        let two = format!(
            "{}{}",
            domain("a.example", "chat", "\"x.b.a.example\""),
            domain("b.a.example", "chat", "").replace("schema_version = 1\n", "")
        );
        assert_eq!(
            error(&two),
            at(
                "x.toml",
                8,
                "example `x.b.a.example` is not matched by the rule for `a.example`: it matches the rule for `b.a.example` at x.toml:11"
            )
        );
        assert_eq!(
            error(&network(
                "acme",
                "2026-11-26",
                "\"10.0.0.0/8\"",
                "\"11.0.0.1\""
            )),
            at(
                "x.toml",
                7,
                "example `11.0.0.1` is in no prefix of this list"
            )
        );
        assert_eq!(
            error(&network(
                "acme",
                "2026-11-26",
                "\"10.0.0.0/8\"",
                "\"10.0.0.256\""
            )),
            at("x.toml", 7, "example `10.0.0.256` is not an IP address")
        );
        let nested = format!(
            "{}{}",
            network("acme", "2026-11-26", "\"10.0.0.0/8\"", "\"10.1.0.1\""),
            network("acme", "2026-11-26", "\"10.1.0.0/16\"", "")
                .replace("schema_version = 1\n", "")
        );
        assert_eq!(
            error(&nested),
            at(
                "x.toml",
                7,
                "example `10.1.0.1` falls in 10.1.0.0/16 of the network list at x.toml:11, not in this list"
            )
        );
    }

    #[test]
    fn the_set_table_appears_exactly_once() {
        assert_eq!(
            error(SET),
            at(
                "x.toml",
                4,
                "a second [set] table (the first is at set.toml:4)"
            )
        );
        let e = load_files(&[("acme.toml", ACME)]).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.reason.as_str()),
            (
                SET_FILE,
                None,
                "no file has a [set] table with data_version and description"
            )
        );
        let e = load_files(&[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "(signature set): no signature files in custom"
        );
    }

    fn layers(base: &[(&str, &str)], user: &[(&str, &str)]) -> Result<Signatures, SignatureError> {
        let layer = |name: &str, files: &[(&str, &str)]| crate::signatures::Layer {
            name: name.into(),
            files: files
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        };
        Signatures::from_layers([layer("base", base), layer("user", user)])
    }

    const BASE: [(&str, &str); 3] = [
        ("set.toml", SET),
        ("acme.toml", ACME),
        ("rules.toml", RULES),
    ];

    #[test]
    fn a_later_layer_overrides_and_adds() {
        // A new rule inside the base suffix, the base suffix for another service, the base's
        // service redefined, a prefix taken over by a new vendor, and the layer's own [set].
        let user = "schema_version = 1

[set]
data_version = \"mine-1\"
description = \"My additions.\"

[[vendor]]
id = \"lab\"
name = \"Lab\"
description = \"My lab.\"
source = \"me\"

[[service]]
id = \"chat\"
vendor = \"acme\"
name = \"Acme Chat 2\"
category = \"messaging\"
description = \"Renamed.\"
source = \"me\"

[[service]]
id = \"probe\"
vendor = \"lab\"
name = \"Lab probe\"
category = \"other\"
description = \"Test endpoints.\"
source = \"me\"

[[domain]]
suffix = \"chat.acme.example\"
service = \"probe\"
note = \"n\"
source = \"me\"
examples = [\"chat.acme.example\"]

[[network]]
vendor = \"lab\"
date = \"2026-11-27\"
source = \"me\"
prefixes = [\"192.0.2.0/24\"]
examples = [\"192.0.2.9\"]
";
        let s = layers(&BASE, &[("mine.toml", user)]).unwrap();
        // The base example `Chat.Acme.Example.` is now the user's rule's: not an error.
        assert_eq!(
            s.match_name("x.chat.acme.example").unwrap().service.id,
            "probe"
        );
        assert_eq!(
            s.match_name("acme.example").unwrap().service.name,
            "Acme Chat 2"
        );
        let net = s.match_addr("192.0.2.1".parse().unwrap()).unwrap();
        assert_eq!(
            (net.vendor.id.as_str(), net.list.date.as_str()),
            ("lab", "2026-11-27")
        );
        let base_list = s.network_lists().next().unwrap();
        assert_eq!(base_list.prefixes, ["2001:db8::/32"]);
        let overrides: Vec<(&str, &str, &str)> = s
            .overrides()
            .iter()
            .map(|o| (o.entry.as_str(), o.by.as_str(), o.replaced.as_str()))
            .collect();
        assert_eq!(
            overrides,
            [
                ("service id `chat`", "mine.toml:14", "acme.toml:10"),
                ("prefix `192.0.2.0/24`", "mine.toml:40", "rules.toml:14"),
            ]
        );
        let info: Vec<(&str, Option<&str>, usize)> = s
            .layers()
            .iter()
            .map(|l| (l.name.as_str(), l.data_version.as_deref(), l.files))
            .collect();
        assert_eq!(
            info,
            [("base", Some("2026-11-26"), 3), ("user", Some("mine-1"), 1)]
        );
        assert_eq!(s.data_version(), "2026-11-26");
        assert!(s.layers().iter().all(|l| l.sha256.len() == 64));
        let again = layers(&BASE, &[("mine.toml", user)]).unwrap();
        assert_eq!(again.layers(), s.layers());
        let changed = layers(&BASE, &[("mine.toml", &user.replace("Renamed", "Other"))]).unwrap();
        assert_eq!(changed.layers()[0], s.layers()[0]);
        assert_ne!(changed.layers()[1].sha256, s.layers()[1].sha256);
    }

    #[test]
    fn overriding_rules_endpoints_and_protocols() {
        let user = domain("acme.example", "chat", "\"acme.example\"")
            + "\n[[endpoint]]\naddress = \"192.0.2.53\"\nports = [53]\nservice = \"chat\"\nnote = \"n\"\nsource = \"s\"\n"
            + "\n[[protocol]]\nid = \"p\"\nservice = \"chat\"\nname = \"P2\"\nnote = \"n\"\nsource = \"s\"\n";
        let base_extra = "schema_version = 1\n\n[[endpoint]]\naddress = \"192.0.2.53\"\nservice = \"chat\"\nnote = \"n\"\nsource = \"s\"\n\n[[protocol]]\nid = \"p\"\nservice = \"chat\"\nname = \"P1\"\nnote = \"n\"\nsource = \"s\"\n";
        let mut base = BASE.to_vec();
        base.push(("z.toml", base_extra));
        let s = layers(&base, &[("x.toml", &user)]).unwrap();
        let rule = s.match_name("acme.example").unwrap().rule;
        assert_eq!((rule.file.as_str(), rule.line), ("x.toml", 4));
        assert_eq!(s.protocol("p").unwrap().rule.name, "P2");
        // The base's any-port endpoint overlapped the user's port-53 one, so it is gone.
        assert!(
            s.match_endpoint("192.0.2.53".parse().unwrap(), 53)
                .is_some()
        );
        assert!(
            s.match_endpoint("192.0.2.53".parse().unwrap(), 80)
                .is_none()
        );
        assert_eq!(s.overrides().len(), 3);
        // Within one layer a second definition is still an error.
        let twice = format!(
            "{user}\n{}",
            domain("acme.example", "chat", "").replace("schema_version = 1\n", "")
        );
        let e = layers(&base, &[("x.toml", &twice)]).unwrap_err();
        assert_eq!(
            e.reason,
            "duplicate domain suffix `acme.example` (first defined at x.toml:4)"
        );
        // A later layer needs no [set]; an empty one is an error naming it.
        assert!(layers(&BASE, &[("x.toml", &user)]).is_ok());
        assert_eq!(
            layers(&BASE, &[]).unwrap_err().reason,
            "no signature files in user"
        );
    }

    #[test]
    fn the_plain_schema_version_line() {
        assert_eq!(plain_version("# c\nschema_version = 1\n[set]\n"), Some(1));
        assert_eq!(plain_version("schema_version=2 # two\n"), Some(2));
        assert_eq!(plain_version("schema_version = \"1\"\n"), None);
        assert_eq!(plain_version("schema_version = +1\n"), None);
        assert_eq!(plain_version("[set]\nschema_version = 1\n"), None);
        assert_eq!(plain_version("x = 1\n"), None);
    }

    #[test]
    fn lines_are_clamped_and_counted_from_one() {
        assert_eq!(line_of(&line_breaks(""), 0), 1);
        assert_eq!(line_of(&line_breaks("a\nb\n"), 1), 1);
        assert_eq!(line_of(&line_breaks("a\nb\n"), 2), 2);
        assert_eq!(line_of(&line_breaks("a\nb\n"), 99), 3);
    }

    #[test]
    fn dates() {
        for good in ["2024-08-02", "2026-11-26", "1999-12-31"] {
            assert!(is_date(good), "{good}");
        }
        for bad in [
            "",
            "2024-8-02",
            "2024-08-2",
            "2024/08/02",
            "2024-00-01",
            "2024-01-32",
            "２０２４-01-01",
            "2024-08-02x",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    /// `x.toml` holding one [[payload]] whose service is on line 4 and examples on line 9.
    fn payload(bytes: &str, length: &str, examples: &str) -> String {
        format!(
            "schema_version = 1\n\n[[payload]]\nservice = \"chat\"\ntransport = \"tcp\"\n\
             min_len = 8\nbytes = [{bytes}]\n{length}\nexamples = [{examples}]\n\
             note = \"n\"\nsource = \"s\"\n"
        )
    }

    #[test]
    fn payload_rules_match_bytes_and_length() {
        let rule = payload(
            "{ offset = 0, hex = \"ca fe\" }, { offset = 4, hex = \"78 01\" }",
            "length = { offset = 2, size = 2, adjust = 4 }",
            "\"cafe0004 7801\"",
        );
        let s = load_files(&[("set.toml", SET), ("acme.toml", ACME), ("x.toml", &rule)]).unwrap();
        let fits = [0xca, 0xfe, 0x00, 0x04, 0x78, 0x01, 0xaa, 0xbb];
        let m = s.match_payload(Transport::Tcp, &fits).unwrap();
        assert_eq!((m.service.id.as_str(), m.rule.line), ("chat", 4));
        assert_eq!(m.rule.min_len, 8);
        assert!(s.match_payload(Transport::Udp, &fits).is_none());
        // Wrong length field, wrong bytes, too short.
        assert!(
            s.match_payload(Transport::Tcp, &[0xca, 0xfe, 0, 5, 0x78, 1, 0, 0])
                .is_none()
        );
        assert!(
            s.match_payload(Transport::Tcp, &[0xca, 0xff, 0, 4, 0x78, 1, 0, 0])
                .is_none()
        );
        assert!(s.match_payload(Transport::Tcp, &fits[..6]).is_none());
        assert_eq!(s.payload_rules().count(), 1);
    }

    #[test]
    fn payload_rule_errors_have_lines() {
        assert_eq!(
            error(&payload("{ offset = 0, hex = \"zz\" }", "", "")),
            at("x.toml", 7, "`hex` \"zz\" is not hex bytes")
        );
        assert_eq!(
            error(&payload("{ offset = 0, hex = \"ca fe\" }", "", "\"cafd\"")),
            at(
                "x.toml",
                9,
                "example \"cafd\" does not fit its payload rule"
            )
        );
        assert_eq!(
            error(&payload("{ offset = 2000, hex = \"ca\" }", "", "")),
            at("x.toml", 7, "bytes past offset 1024")
        );
        assert_eq!(
            error(&payload(
                "{ offset = 0, hex = \"ca\" }",
                "length = { offset = 0, size = 3 }",
                ""
            )),
            at(
                "x.toml",
                4,
                "`length` needs a size of 1, 2 or 4 within the first 1024 bytes"
            )
        );
        assert_eq!(
            error(&payload("", "", "")),
            at(
                "x.toml",
                4,
                "a payload rule needs at least one `bytes` entry"
            )
        );
    }

    #[test]
    fn endpoint_and_protocol_errors_have_lines() {
        let endpoint = |address: &str, ports: &str| {
            format!(
                "schema_version = 1\n\n[[endpoint]]\naddress = \"{address}\"\nports = [{ports}]\n\
                 service = \"chat\"\nnote = \"n\"\nsource = \"s\"\n"
            )
        };
        assert_eq!(
            error(&endpoint("192.0.2.300", "")),
            at(
                "x.toml",
                4,
                "`address` \"192.0.2.300\" is not an IP address"
            )
        );
        let twice = format!(
            "{}\n{}",
            endpoint("192.0.2.1", "80, 443"),
            endpoint("192.0.2.1", "443").replace("schema_version = 1\n", "")
        );
        assert_eq!(
            error(&twice),
            at(
                "x.toml",
                12,
                "duplicate endpoint 192.0.2.1 (first defined at x.toml:4)"
            )
        );
        let protocol = "schema_version = 1\n\n[[protocol]]\nid = \"p\"\nservice = \"chat\"\nname = \"P\"\nnote = \"n\"\nsource = \"s\"\n";
        let two = format!(
            "{protocol}\n{}",
            protocol.replace("schema_version = 1\n", "")
        );
        assert_eq!(
            error(&two),
            at(
                "x.toml",
                12,
                "duplicate protocol id `p` (first defined at x.toml:4)"
            )
        );
        let unknown = protocol.replace("\"chat\"", "\"nope\"");
        assert_eq!(error(&unknown), at("x.toml", 5, "unknown service `nope`"));
        let ok = endpoint("192.0.2.1", "80");
        let s = load_files(&[("set.toml", SET), ("acme.toml", ACME), ("x.toml", &ok)]).unwrap();
        assert!(s.match_endpoint("192.0.2.1".parse().unwrap(), 80).is_some());
        assert!(s.match_endpoint("192.0.2.1".parse().unwrap(), 81).is_none());
    }
}
