//! Reading packet captures (pcap, pcapng) for Telltale, with PCAPdroid's per-packet app metadata.
#![forbid(unsafe_code)]
