//! TLS: `flowdesk serve --tls-cert --tls-key` serves HTTPS (and nothing in
//! plain HTTP) with a self-signed certificate made here, and the database
//! connection to PostgreSQL honours `sslmode` / `sslrootcert`.

mod common;

use std::time::{Duration, Instant};

use common::*;
use sqlx::Row;

/// A self-signed certificate for localhost and 127.0.0.1: (cert PEM, key PEM).
fn self_signed() -> (String, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("a self-signed certificate");
    (certified.cert.pem(), certified.key_pair.serialize_pem())
}

/// An HTTPS client trusting only `cert_pem`.
fn trusting(cert_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_speaks_https_with_the_given_certificate_and_refuses_plain_http() {
    let dir = TempDir::new("tls-serve");
    let (cert_pem, key_pem) = self_signed();
    let cert = dir.write("cert.pem", &cert_pem);
    let key = dir.write("key.pem", &key_pem);
    let db = format!("sqlite:{}", dir.path().join("flowdesk.db").display());
    let address = format!("127.0.0.1:{}", free_port());
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = Server(
        command(&[
            "serve",
            "--db",
            &db,
            "--listen",
            &address,
            "--tls-cert",
            &cert,
            "--tls-key",
            &key,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("serve starts"),
    );
    let client = trusting(&cert_pem);
    let base = format!("https://{address}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let ready = loop {
        match client.get(format!("{base}/health/ready")).send().await {
            Ok(response) => break response,
            Err(_) => {
                if let Ok(Some(status)) = server.0.try_wait() {
                    panic!(
                        "server exited with {status}: {}",
                        std::fs::read_to_string(&log_path).unwrap_or_default()
                    );
                }
                assert!(Instant::now() < deadline, "HTTPS server not ready in time");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );

    // The session cookie of a server on TLS is Secure.
    let setup = client
        .post(format!("{base}/api/auth/setup"))
        .json(&serde_json::json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), 201);
    let cookie = setup
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie")
        .to_string();
    assert!(cookie.contains("Secure"), "{cookie}");

    // Plain HTTP on the same port gets no HTTP answer.
    let plain = reqwest::Client::new()
        .get(format!("http://{address}/health/ready"))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP answered: {plain:?}");

    // A client that does not trust the certificate refuses the server.
    let untrusting = reqwest::Client::new()
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .expect_err("a self-signed certificate is not trusted by default");
    assert!(untrusting.is_connect(), "{untrusting:?}");

    // The server goes on serving after the failed handshakes.
    let again = client
        .get(format!("{base}/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    drop(server);
}

#[test]
fn serve_refuses_half_or_unreadable_tls_settings_naming_the_file() {
    let dir = TempDir::new("tls-bad");
    let (cert_pem, _) = self_signed();
    let (_, other_key_pem) = self_signed();
    let cert = dir.write("cert.pem", &cert_pem);
    let other_key = dir.write("other-key.pem", &other_key_pem);
    let not_pem = dir.write("not.pem", "not a certificate\n");
    let db = format!("sqlite:{}", dir.path().join("flowdesk.db").display());
    let address = format!("127.0.0.1:{}", free_port());
    let serve = |extra: &[&str]| {
        let mut args = vec!["serve", "--db", &db, "--listen", &address];
        args.extend_from_slice(extra);
        flowdesk_fails(&args).1
    };

    let stderr = serve(&["--tls-cert", &cert]);
    assert!(stderr.contains("--tls-key"), "{stderr}");
    let stderr = serve(&["--tls-cert", &not_pem, "--tls-key", &other_key]);
    assert!(stderr.contains("no certificate in"), "{stderr}");
    assert!(stderr.contains("not.pem"), "{stderr}");
    let stderr = serve(&["--tls-cert", &cert, "--tls-key", &not_pem]);
    assert!(stderr.contains("TLS private key"), "{stderr}");
    assert!(stderr.contains("not.pem"), "{stderr}");
    let stderr = serve(&["--tls-cert", &cert, "--tls-key", &other_key]);
    assert!(stderr.contains("does not fit"), "{stderr}");
}

/// Whether the server's connection of `pool` is encrypted, by `pg_stat_ssl`.
async fn connection_uses_ssl(store: &flowdesk_store::Store) -> bool {
    sqlx::query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(store.pool())
        .await
        .expect("pg_stat_ssl")
        .try_get::<bool, _>("ssl")
        .expect("ssl column")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_honour_sslmode() {
    let base = flowdesk_store::test_support::postgres_base_url();
    let plain = flowdesk_store::Store::connect(&format!("{base}/postgres?sslmode=disable"))
        .await
        .expect("a plain connection");
    assert!(!connection_uses_ssl(&plain).await);
    plain.close().await;

    let encrypted = flowdesk_store::Store::connect(&format!("{base}/postgres?sslmode=require"))
        .await
        .expect("PostgreSQL accepts TLS (ssl = on; `cargo xtask test` turns it on)");
    assert!(
        connection_uses_ssl(&encrypted).await,
        "sslmode=require gave a connection without TLS"
    );
    encrypted.close().await;

    // verify-full checks the server's certificate against sslrootcert: a CA
    // that did not sign it is refused.
    let dir = TempDir::new("pg-tls");
    let (stranger, _) = self_signed();
    let root = dir.write("root.pem", &stranger);
    let refused = flowdesk_store::Store::connect(&format!(
        "{base}/postgres?sslmode=verify-full&sslrootcert={root}"
    ))
    .await
    .expect_err("a server certificate from another CA was accepted")
    .to_string();
    assert!(refused.contains("certificate"), "{refused}");
}
