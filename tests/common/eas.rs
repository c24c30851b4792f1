//! Horde's real ActiveSync server (`../shared/peers/eas-horde`, Debian
//! `php-horde-activesync`) on a free loopback port, with a recipient table made at test
//! time from the directory fixture (`dir_pki`); stunnel4 in front of it for HTTPS; a
//! recording TCP relay that keeps the exact bytes of every request and response; and
//! the libwbxml tools (`xml2wbxml`, `wbxml2xml`) as an independent WBXML oracle.
//! A missing tool is a failure, never a skip (`bash scripts/test.sh` installs them).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use super::dir_pki::{PUBLISHED, dir_pki};

pub const USER: &str = "test";
pub const PASSWORD: &str = "secret";

fn peer_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peers/eas-horde")
}

fn b64(der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// One GAL entry: display name and the fixture certificates it publishes.
pub fn entry(name: &str, certs: &[&str]) -> Value {
    let certs: Vec<String> = certs.iter().map(|c| b64(&dir_pki().der(c))).collect();
    json!({ "name": name, "certs": certs })
}

/// An ambiguous name: one suggestion per (email, certificates).
pub fn ambiguous(suggestions: &[(&str, &[&str])]) -> Value {
    Value::Array(
        suggestions
            .iter()
            .map(|(email, certs)| {
                let mut e = entry(email, certs);
                e["email"] = json!(email);
                e
            })
            .collect(),
    )
}

/// The table publishing [`PUBLISHED`] (the conformance fixture), plus `bulk` entries
/// `uNNN@corp.example` without certificates.
pub fn published(bulk: usize) -> serde_json::Map<String, Value> {
    let mut table = serde_json::Map::new();
    for (address, certs) in PUBLISHED {
        table.insert(address.to_string(), entry(address, certs));
    }
    for i in 0..bulk {
        table.insert(format!("u{i:03}@corp.example"), entry("bulk", &[]));
    }
    table
}

/// A running Horde ActiveSync server; killed on drop.
pub struct Horde {
    dir: tempfile::TempDir,
    pid: Option<u32>,
    port: u16,
}

impl Horde {
    /// Serves `table` with the default credentials.
    pub fn start(table: serde_json::Map<String, Value>) -> Horde {
        Self::start_with(table, &[])
    }

    /// Serves `table` with extra environment (`EAS_FAIL`, `EAS_PASS`, ...).
    pub fn start_with(table: serde_json::Map<String, Value>, env: &[(&str, &str)]) -> Horde {
        let dir = super::temp_dir();
        let json = dir.path().join("recipients.json");
        std::fs::write(&json, Value::Object(table).to_string()).expect("recipients.json");
        let run = dir.path().join("run");
        let mut cmd = Command::new("bash");
        cmd.arg(peer_dir().join("start.sh")).arg(&json).arg(&run);
        for (k, v) in env {
            cmd.env(k, v);
        }
        super::run_checked(&mut cmd, b"").unwrap_or_else(|e| {
            panic!(
                "starting Horde's ActiveSync server (bash scripts/test.sh installs \
                 php-cli php-horde-activesync php-horde-controller php-mbstring): {e}"
            )
        });
        let read = |name: &str| {
            std::fs::read_to_string(run.join(name))
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .trim()
                .to_owned()
        };
        let port = read("port").parse().expect("port number");
        let pid = read("pid").parse().expect("pid");
        Horde {
            dir,
            pid: Some(pid),
            port,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT/Microsoft-Server-ActiveSync`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/Microsoft-Server-ActiveSync", self.port)
    }

    /// The server's request log: one line per HTTP request (`POST ResolveRecipients`,
    /// `OPTIONS -`).
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("run/requests"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// How many ResolveRecipients POSTs the server saw.
    pub fn posts(&self) -> usize {
        self.requests()
            .iter()
            .filter(|l| *l == "POST ResolveRecipients")
            .count()
    }

    /// How many OPTIONS requests the server saw.
    pub fn options(&self) -> usize {
        self.requests()
            .iter()
            .filter(|l| l.starts_with("OPTIONS"))
            .count()
    }

    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("run/server.log")).unwrap_or_default()
    }

    /// Stops the server and waits until its port is closed.
    pub fn stop(&mut self) {
        if let Some(pid) = self.pid.take() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                assert!(Instant::now() < deadline, "php -S did not stop");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for Horde {
    fn drop(&mut self) {
        self.stop();
    }
}

/// stunnel4 terminating TLS on a free loopback port in front of `backend_port`, with
/// a CA and a server certificate (IP:127.0.0.1) made here by openssl.
pub struct Stunnel {
    dir: tempfile::TempDir,
    child: Option<Child>,
    port: u16,
}

impl Stunnel {
    pub fn start(backend_port: u16) -> Stunnel {
        let dir = super::temp_dir();
        let d = dir.path();
        super::slapd::make_tls_files(d);
        let port = super::slapd::free_port();
        let conf = format!(
            "foreground = yes\npid =\ndebug = 4\noutput = {d}/stunnel.log\n[eas]\n\
             accept = 127.0.0.1:{port}\nconnect = 127.0.0.1:{backend_port}\n\
             cert = {d}/tls-server.pem\nkey = {d}/tls-server.key\n",
            d = d.display()
        );
        std::fs::write(d.join("stunnel.conf"), conf).expect("stunnel.conf");
        let child = Command::new("stunnel4")
            .arg(d.join("stunnel.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start stunnel4 ({e}); bash scripts/test.sh installs it")
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "stunnel4 did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        Stunnel {
            dir,
            child: Some(child),
            port,
        }
    }

    /// `https://127.0.0.1:PORT/Microsoft-Server-ActiveSync`.
    pub fn url(&self) -> String {
        format!(
            "https://127.0.0.1:{}/Microsoft-Server-ActiveSync",
            self.port
        )
    }

    /// The CA that issued the server certificate (PEM file).
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("tls-ca.pem")
    }
}

impl Drop for Stunnel {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// One HTTP exchange as it went over the wire.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub request_head: String,
    pub request_body: Vec<u8>,
    pub response_head: String,
    pub response_body: Vec<u8>,
}

/// A TCP relay on a free loopback port that forwards each connection to a backend and
/// keeps the bytes (one HTTP exchange per connection, as `php -S` closes each).
pub struct Recorder {
    port: u16,
    pub exchanges: Arc<Mutex<Vec<Exchange>>>,
}

impl Recorder {
    pub fn start(backend_port: u16) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let exchanges: Arc<Mutex<Vec<Exchange>>> = Arc::default();
        let kept = exchanges.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { return };
                let Ok(mut server) = TcpStream::connect(("127.0.0.1", backend_port)) else {
                    continue;
                };
                let (request_head, request_body) = read_message(&mut client);
                let _ = server.write_all(request_head.as_bytes());
                let _ = server.write_all(&request_body);
                let (response_head, response_body) = read_message(&mut server);
                // Kept before the client sees the answer, so a test that reads the
                // record after its lookup returned always finds it.
                kept.lock().unwrap().push(Exchange {
                    request_head,
                    request_body,
                    response_head: response_head.clone(),
                    response_body: response_body.clone(),
                });
                let _ = client.write_all(response_head.as_bytes());
                let _ = client.write_all(&response_body);
            }
        });
        Recorder { port, exchanges }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/Microsoft-Server-ActiveSync", self.port)
    }

    pub fn taken(&self) -> Vec<Exchange> {
        self.exchanges.lock().unwrap().clone()
    }
}

/// Reads one HTTP/1.1 message: the head up to the blank line, then Content-Length
/// bytes of body.
fn read_message(stream: &mut TcpStream) -> (String, Vec<u8>) {
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0usize);
    let mut body = vec![0u8; length];
    let _ = stream.read_exact(&mut body);
    (head, body)
}

/// A `php -S` server with a router written here, for what Horde cannot be made to do:
/// answer 451 with `X-MS-Location`, answer a 200 that is not WBXML. It answers OPTIONS
/// like an Exchange 2010 SP1 server.
pub struct PhpRouter {
    dir: tempfile::TempDir,
    child: Option<Child>,
    port: u16,
}

impl PhpRouter {
    pub fn start(post_handler: &str) -> PhpRouter {
        let dir = super::temp_dir();
        let router = format!(
            "<?php\nif ($_SERVER['REQUEST_METHOD'] === 'OPTIONS') {{\n\
             header('MS-ASProtocolVersions: 12.1,14.0,14.1'); header('Content-Length: 0'); exit;\n}}\n\
             {post_handler}\n"
        );
        std::fs::write(dir.path().join("router.php"), router).expect("router.php");
        let port = super::slapd::free_port();
        let child = Command::new("php")
            .args(["-d", "display_errors=0", "-S", &format!("127.0.0.1:{port}")])
            .arg(dir.path().join("router.php"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start php ({e}); bash scripts/test.sh installs php-cli")
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "php -S did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        PhpRouter {
            dir,
            child: Some(child),
            port,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/Microsoft-Server-ActiveSync", self.port)
    }
}

impl Drop for PhpRouter {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// libwbxml's encoding of an ActiveSync XML document: `xml2wbxml -a -n -v 1.3`.
pub fn xml2wbxml(xml: &str) -> Vec<u8> {
    let dir = super::temp_dir();
    let input = super::write_file(
        dir.path(),
        "in.xml",
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE ActiveSync PUBLIC \
             \"-//MICROSOFT//DTD ActiveSync//EN\" \"http://www.microsoft.com/\">\n{xml}\n"
        )
        .as_bytes(),
    );
    let out = dir.path().join("out.wbxml");
    super::run_ok(
        Command::new("xml2wbxml")
            .args(["-a", "-n", "-v", "1.3", "-o"])
            .arg(&out)
            .arg(&input),
        b"",
    );
    super::read_file(&out)
}

/// libwbxml's decoding of ActiveSync WBXML, compact (`wbxml2xml -m 0 -l ACTIVESYNC`),
/// without the XML declaration and DOCTYPE.
pub fn wbxml2xml(wbxml: &[u8]) -> String {
    let dir = super::temp_dir();
    let input = super::write_file(dir.path(), "in.wbxml", wbxml);
    let out = dir.path().join("out.xml");
    super::run_ok(
        Command::new("wbxml2xml")
            .args(["-m", "0", "-l", "ACTIVESYNC", "-o"])
            .arg(&out)
            .arg(&input),
        b"",
    );
    let xml = String::from_utf8(super::read_file(&out)).expect("UTF-8 XML");
    let start = xml
        .find("<ResolveRecipients")
        .unwrap_or_else(|| panic!("no root in {xml}"));
    xml[start..].trim_end().to_owned()
}
