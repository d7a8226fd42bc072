//! The floor for sign-ins: raw argon2id verifications per second at the
//! server's parameters, one thread per core, measured with the same crate.
//! `bench/signin_memory.py` compares the server's sign-ins per second to it.
//!
//!   cargo run --release -p bench --bin argon2_raw [-- SECONDS]

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let seconds: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let hash = Argon2::default().hash_password(b"bench-admin-password", &SaltString::generate(&mut OsRng)).unwrap().to_string();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (hash, done) = (hash.clone(), done.clone());
            std::thread::spawn(move || {
                let parsed = PasswordHash::new(&hash).unwrap();
                while Instant::now() < until {
                    assert!(Argon2::default().verify_password(b"bench-admin-password", &parsed).is_ok());
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    println!("| raw argon2id verifications per second ({threads} threads) | {rate:.1} |");
}
