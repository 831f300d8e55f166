//! The `tests` crate is a library of harness code plus integration tests
//! (tests/tests/*.rs) and the benchmark (`--bin bench`).

fn main() {
    println!("run `cargo test -p tests` for the integration tests, or `cargo run --release -p tests --bin bench -- --help`");
}
