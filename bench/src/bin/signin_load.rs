//! Memory and sign-in throughput of the release server (issue 18, item 4).
//! Goals: RSS <= 40 MB idle and <= 100 MB after 10 minutes of saturated
//! sign-ins plus API traffic; sign-ins per second >= 90% of raw argon2id
//! verifications per second at the same parameters, measured in this run.
//!
//!   cargo build --release -p server -p bench
//!   cargo run --release -p bench --bin signin_load [-- SECONDS [CONCURRENCY [API_PER_SECOND]]]
//!
//! Measures raw argon2id (10 s, one thread per core, before the load and
//! again after it, the mean), starts the `gatehouse` binary beside this one
//! as a child process on a temporary SQLite file (loopback only), reads its
//! RSS once it has been idle for 10 s, and runs CONCURRENCY
//! (default 8) loops of correct sign-ins for SECONDS (default 30; 600 for
//! the ten-minute run) while one more loop sends API_PER_SECOND (default 50)
//! `GET /users/storage` with a JWT. Stops the server it started.
//! `SERVER_LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libmimalloc.so.2` runs the
//! server (only) with another allocator, to compare without a rebuild.

use bench::SITE_ADMIN_PASSWORD;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The server process; killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start(dir: &std::path::Path) -> Server {
        let exe = std::env::current_exe().expect("own path").with_file_name("gatehouse");
        assert!(exe.exists(), "{} is missing: cargo build --release -p server", exe.display());
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut command = Command::new(&exe);
        if let Ok(preload) = std::env::var("SERVER_LD_PRELOAD") {
            command.env("LD_PRELOAD", preload);
        }
        let child = command
            .arg("serve")
            .env_remove("DATABASE_URL")
            .env("GATEHOUSE_DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.join("gatehouse.db").display()))
            .env("GATEHOUSE_BIND", format!("127.0.0.1:{port}"))
            .env("GATEHOUSE_ADMIN_PASSWORD", SITE_ADMIN_PASSWORD)
            .env("GATEHOUSE_DATA_DIR", dir.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gatehouse");
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        for _ in 0..300 {
            if reqwest::get(format!("{}/readyz", server.base)).await.is_ok_and(|r| r.status() == 200) {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("gatehouse did not start");
    }

    /// `VmRSS` and `VmHWM` (the peak) of the process, in MB.
    fn memory_mb(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let field = |name: &str| {
            status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        };
        (field("VmRSS:").unwrap_or(0.0) / 1024.0, field("VmHWM:").unwrap_or(0.0) / 1024.0)
    }
}

/// Signs in with the password over and over until `until`; counts each.
async fn sign_ins(base: String, until: Instant, done: Arc<AtomicU64>) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    while Instant::now() < until {
        let res = client
            .post(format!("{base}/api/login"))
            .form(&[("username", "admin"), ("password", SITE_ADMIN_PASSWORD), ("next", "")])
            .send()
            .await
            .expect("sign in");
        assert!(res.status().as_u16() < 400 && res.headers().contains_key("set-cookie"), "sign-in refused: {}", res.status());
        res.bytes().await.expect("body");
        done.fetch_add(1, Ordering::Relaxed);
    }
}

/// `per_second` authenticated API calls a second until `stop`; counts each.
async fn api_calls(base: String, per_second: u32, stop: Arc<AtomicBool>, done: Arc<AtomicU64>) {
    let bearer = format!("Bearer {}", bench::jwt(&base, "admin", SITE_ADMIN_PASSWORD).await);
    let client = reqwest::Client::new();
    let mut every = tokio::time::interval(Duration::from_secs_f64(1.0 / per_second.max(1) as f64));
    while !stop.load(Ordering::Relaxed) {
        every.tick().await;
        let res = client.get(format!("{base}/users/storage")).header("authorization", &bearer).send().await.expect("API call");
        assert_eq!(res.status(), 200, "API call refused");
        res.bytes().await.expect("body");
        done.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    let arg = |n: usize, default: u64| std::env::args().nth(n).and_then(|s| s.parse().ok()).unwrap_or(default);
    let (seconds, concurrency, api_rate) = (arg(1, 30), arg(2, 8) as usize, arg(3, 50) as u32);
    let raw_rate = || async { tokio::task::spawn_blocking(|| bench::argon2_verifications_per_second(10.0)).await.unwrap() };
    let (raw_before, threads) = raw_rate().await;

    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path()).await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let (idle, _) = server.memory_mb();

    let (signed_in, api_done, stop) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(false)));
    let api = tokio::spawn(api_calls(server.base.clone(), api_rate, stop.clone(), api_done.clone()));
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let loops: Vec<_> = (0..concurrency).map(|_| tokio::spawn(sign_ins(server.base.clone(), until, signed_in.clone()))).collect();
    for l in loops {
        l.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    api.await.unwrap();
    let (at_end, peak) = server.memory_mb();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (after, _) = server.memory_mb();
    let raw = (raw_before + raw_rate().await.0) / 2.0;

    let signed_in = signed_in.load(Ordering::Relaxed);
    let rate = signed_in as f64 / elapsed;
    println!("| measurement | figure | baseline | ratio |");
    println!("|---|---|---|---|");
    println!(
        "| sign-ins per second ({concurrency} concurrent, {elapsed:.0} s, {} API calls beside) vs raw argon2id ({threads} threads) | {rate:.1} | {raw:.1} | {:.0}% |",
        api_done.load(Ordering::Relaxed),
        100.0 * rate / raw
    );
    println!("| RSS idle | {idle:.1} MB | | |");
    println!("| RSS peak during {signed_in} sign-ins (VmHWM) | {peak:.1} MB | | |");
    println!("| RSS at the end of the load / 5 s later | {at_end:.1} MB / {after:.1} MB | | |");
}
