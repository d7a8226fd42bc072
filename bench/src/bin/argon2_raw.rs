//! The floor for sign-ins: raw argon2id verifications per second at the
//! server's parameters, one thread per core, measured with the same crate.
//! `signin_load` measures it again beside the server's sign-ins per second.
//!
//!   cargo run --release -p bench --bin argon2_raw [-- SECONDS]

fn main() {
    let seconds: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let (rate, threads) = bench::argon2_verifications_per_second(seconds);
    println!("| raw argon2id verifications per second ({threads} threads) | {rate:.1} |");
}
