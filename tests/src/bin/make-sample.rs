//! Writes the bundled sample capture: `cargo run -p telltale-tests --bin make-sample -- OUT`.

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "samples/sample.pcapng".into());
    let bytes = telltale_tests::sample::sample().pcapng_bytes();
    if let Err(e) = std::fs::write(&out, bytes) {
        eprintln!("make-sample: cannot write {out}: {e}");
        std::process::exit(1);
    }
}
