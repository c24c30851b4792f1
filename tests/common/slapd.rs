//! A throw-away OpenLDAP `slapd` on a free loopback port, with a temporary mdb
//! database loaded by `slapadd` from an LDIF made at test time (shared/PEERS.md).
//! Started with `-d 256`, so its log shows every search: [`Slapd::searches`] counts
//! the round trips. Stopped (killed) on drop. A missing slapd is a failure, never a
//! skip (`bash scripts/test.sh` installs it).
#![allow(dead_code)]

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BASE: &str = "dc=corp,dc=example";
pub const ROOT_DN: &str = "cn=admin,dc=corp,dc=example";
pub const ROOT_PW: &str = "secret";

/// Active Directory's proxyAddresses (OID from AD's schema) and an auxiliary class
/// carrying it, so the test users can have it.
const AD_SCHEMA: &str = "attributetype ( 1.2.840.113556.1.2.210 NAME 'proxyAddresses'\n  \
    EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch\n  \
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )\n\
    objectclass ( 1.3.6.1.4.1.55555.1.1 NAME 'smimeTestMailUser' AUXILIARY\n  \
    MAY ( proxyAddresses ) )\n";

/// One LDAP user: attribute lines (values as text, or `attr:< file://` lines).
pub struct User {
    pub uid: String,
    pub lines: Vec<String>,
}

pub struct Slapd {
    dir: tempfile::TempDir,
    child: Option<Child>,
    port: u16,
    /// The `ldaps://` port, when started with TLS.
    tls_port: Option<u16>,
}

fn sbin(name: &str) -> String {
    let p = format!("/usr/sbin/{name}");
    if Path::new(&p).exists() {
        p
    } else {
        name.to_string()
    }
}

impl Slapd {
    /// Starts a server holding `users` under `ou=people,dc=corp,dc=example`. Files a
    /// user refers to must be written into [`Slapd::files_dir`] first: use
    /// [`Slapd::start_with`].
    pub fn start_with(make_users: impl FnOnce(&Path) -> Vec<User>) -> Slapd {
        Self::start(make_users, false)
    }

    /// Like [`Slapd::start_with`], with TLS: a server certificate for IP 127.0.0.1
    /// issued by a CA made here ([`Slapd::tls_ca`]), `ldaps://` on [`Slapd::ldaps_url`]
    /// and StartTLS on [`Slapd::url`].
    pub fn start_tls_with(make_users: impl FnOnce(&Path) -> Vec<User>) -> Slapd {
        Self::start(make_users, true)
    }

    fn start(make_users: impl FnOnce(&Path) -> Vec<User>, tls: bool) -> Slapd {
        let dir = tempfile::Builder::new()
            .prefix("smime-slapd-")
            .tempdir()
            .expect("temp dir");
        let d = dir.path().to_path_buf();
        let files = d.join("files");
        std::fs::create_dir_all(&files).expect("files dir");
        std::fs::create_dir_all(d.join("db")).expect("db dir");
        std::fs::write(d.join("ad.schema"), AD_SCHEMA).expect("schema");
        let users = make_users(&files);
        let tls_conf = if tls {
            make_tls_files(&d);
            format!(
                "TLSCACertificateFile {d}/tls-ca.pem\nTLSCertificateFile {d}/tls-server.pem\n\
                 TLSCertificateKeyFile {d}/tls-server.key\n",
                d = d.display()
            )
        } else {
            String::new()
        };
        let conf = format!(
            "include /etc/ldap/schema/core.schema\ninclude /etc/ldap/schema/cosine.schema\n\
             include /etc/ldap/schema/inetorgperson.schema\ninclude {d}/ad.schema\n\
             modulepath /usr/lib/ldap\nmoduleload back_mdb\npidfile {d}/slapd.pid\n{tls_conf}\
             database mdb\nmaxsize 104857600\nsuffix \"{BASE}\"\nrootdn \"{ROOT_DN}\"\n\
             rootpw {ROOT_PW}\ndirectory {d}/db\n",
            d = d.display()
        );
        std::fs::write(d.join("slapd.conf"), conf).expect("slapd.conf");
        let mut ldif = format!(
            "dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp\n\n\
             dn: ou=people,{BASE}\nobjectClass: organizationalUnit\nou: people\n\n"
        );
        for u in &users {
            ldif.push_str(&format!(
                "dn: uid={uid},ou=people,{BASE}\nobjectClass: inetOrgPerson\n\
                 objectClass: smimeTestMailUser\nuid: {uid}\ncn: {uid}\nsn: {uid}\n",
                uid = u.uid
            ));
            for l in &u.lines {
                ldif.push_str(l);
                ldif.push('\n');
            }
            ldif.push('\n');
        }
        std::fs::write(d.join("users.ldif"), ldif).expect("users.ldif");
        let mut add = Command::new(sbin("slapadd"));
        add.args(["-q", "-f"])
            .arg(d.join("slapd.conf"))
            .arg("-l")
            .arg(d.join("users.ldif"));
        super::run_checked(&mut add, b"").unwrap_or_else(|e| {
            panic!("slapadd failed (install slapd with `bash scripts/test.sh`): {e}")
        });

        let port = free_port();
        let tls_port = tls.then(|| {
            loop {
                let p = free_port();
                if p != port {
                    break p;
                }
            }
        });
        let mut listeners = format!("ldap://127.0.0.1:{port}/");
        if let Some(p) = tls_port {
            listeners.push_str(&format!(" ldaps://127.0.0.1:{p}/"));
        }
        let log = File::create(d.join("slapd.log")).expect("log file");
        let child = Command::new(sbin("slapd"))
            .arg("-f")
            .arg(d.join("slapd.conf"))
            .arg("-h")
            .arg(listeners)
            .args(["-d", "256"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start slapd: {e} (bash scripts/test.sh installs it)")
            });
        let mut server = Slapd {
            dir,
            child: Some(child),
            port,
            tls_port,
        };
        server.wait_ready();
        server
    }

    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `ldaps://127.0.0.1:PORT` (servers started with TLS only).
    pub fn ldaps_url(&self) -> String {
        format!(
            "ldaps://127.0.0.1:{}",
            self.tls_port.expect("slapd started with TLS")
        )
    }

    /// The CA that issued the server's TLS certificate (PEM).
    pub fn tls_ca(&self) -> PathBuf {
        self.dir.path().join("tls-ca.pem")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("slapd.log")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Search operations the server has logged so far (`conn=N op=M SRCH base=...`).
    pub fn searches(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains(" SRCH base="))
            .count()
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = super::run(
                Command::new("ldapsearch").args(["-x", "-H", &self.url(), "-b", "", "-s", "base"]),
                b"",
            );
            if out.status.success() {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("slapd exited ({status}) before answering:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "slapd did not answer within 20 s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the server (kill, then wait so the port is closed).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A CA and a server certificate (subjectAltName IP:127.0.0.1 only) for slapd, made
/// with the `openssl` CLI: `tls-ca.pem`, `tls-server.pem`, `tls-server.key`.
pub fn make_tls_files(d: &Path) {
    let openssl = |args: &[&str]| super::openssl_in(d, args);
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "tls-ca.key",
        "-out",
        "tls-ca.pem",
        "-days",
        "2",
        "-subj",
        "/O=Corp/CN=Corp Directory CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(&[
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "tls-server.key",
        "-out",
        "tls-server.csr",
        "-subj",
        "/O=Corp/CN=ldap.corp.example",
    ]);
    std::fs::write(
        d.join("tls-server.ext"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n\
         keyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n",
    )
    .expect("tls-server.ext");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "tls-server.csr",
        "-CA",
        "tls-ca.pem",
        "-CAkey",
        "tls-ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "tls-server.ext",
        "-out",
        "tls-server.pem",
    ]);
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("binding a loopback port")
}

/// `attr:< file://PATH` after writing `bytes` to `files/NAME`.
pub fn binary_line(files: &Path, name: &str, attr: &str, bytes: &[u8]) -> String {
    let p = files.join(name);
    std::fs::write(&p, bytes).expect("writing LDIF value");
    format!("{attr}:< file://{}", p.display())
}
