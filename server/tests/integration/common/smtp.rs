//! A real SMTP server on loopback that keeps every message it receives:
//! enough of RFC 5321 for lettre (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).

use base64::Engine;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One delivered message, decoded.
#[derive(Clone, Debug)]
pub struct Mail {
    pub rcpt: Vec<String>,
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Mail {
    /// The path and query of the first link in the body under `path` (e.g. "/verify").
    pub fn link(&self, path: &str) -> String {
        let start = self.body.find(&format!("{path}?token=")).unwrap_or_else(|| panic!("no {path} link in: {}", self.body));
        self.body[start..].split_whitespace().next().unwrap().to_string()
    }

    /// The `token` parameter of the first link under `path`.
    pub fn token(&self, path: &str) -> String {
        self.link(path).split_once("token=").unwrap().1.to_string()
    }
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    mails: Arc<Mutex<Vec<Mail>>>,
    /// While false, every connection gets "421" and is closed.
    up: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        SmtpSink::listen(true).await
    }

    /// A mail server that is down: it holds its port (so no other test
    /// takes it) and answers every connection with 421 until `come_up`.
    pub async fn start_down() -> SmtpSink {
        SmtpSink::listen(false).await
    }

    /// From now on, mail is accepted.
    pub fn come_up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }

    async fn listen(up: bool) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind SMTP sink");
        let addr = listener.local_addr().unwrap();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let up = Arc::new(AtomicBool::new(up));
        let (store, accepting) = (mails.clone(), up.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                if !accepting.load(Ordering::SeqCst) {
                    let _ = stream.write_all(b"421 sink.test not accepting mail\r\n").await;
                    continue;
                }
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = session(stream, store).await;
                });
            }
        });
        SmtpSink { addr, mails, up, task }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn mails_to(&self, address: &str) -> Vec<Mail> {
        self.mails.lock().unwrap().iter().filter(|m| m.rcpt.iter().any(|r| r.eq_ignore_ascii_case(address))).cloned().collect()
    }

    /// Waits (up to 20 s) for a message to `address` whose subject contains
    /// `subject`, and returns the newest such message.
    pub async fn wait_for(&self, address: &str, subject: &str) -> Mail {
        for _ in 0..200 {
            if let Some(m) = self.mails_to(address).into_iter().rev().find(|m| m.subject.contains(subject)) {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no mail to {address} about {subject:?}; got {:?}", self.mails.lock().unwrap());
    }
}

async fn session(stream: TcpStream, store: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut rcpt = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink.test\r\n250 8BITMIME\r\n"
        } else if command.starts_with("HELO") || command.starts_with("MAIL") || command.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if command.starts_with("RSET") {
            rcpt.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT") {
            let address = line.trim_end().split_once(':').map(|(_, a)| a.trim().trim_matches(['<', '>']).to_string());
            rcpt.extend(address);
            b"250 OK\r\n"
        } else if command == "DATA" {
            write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            store.lock().unwrap().push(parse(std::mem::take(&mut rcpt), &data));
            b"250 OK queued\r\n"
        } else if command == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 Command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

fn parse(rcpt: Vec<String>, data: &str) -> Mail {
    let data = data.replace("\r\n", "\n");
    let (head, body) = data.split_once("\n\n").unwrap_or((&data, ""));
    let unfolded = head.replace("\n ", " ").replace("\n\t", " ");
    let header = |name: &str| {
        unfolded
            .lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_string()))
            .unwrap_or_default()
    };
    let body = match header("Content-Transfer-Encoding").to_ascii_lowercase().as_str() {
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact).unwrap()).unwrap()
        }
        "quoted-printable" => decode_quoted_printable(body),
        _ => body.to_string(),
    };
    Mail { rcpt, to: header("To"), subject: header("Subject"), body }
}

fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
