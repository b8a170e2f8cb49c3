//! Passkeys in headless Chromium with its virtual WebAuthn authenticator
//! (the WebDriver WebAuthn extension: CTAP2, resident keys, user
//! verification), against `flowdesk serve` on a fresh PostgreSQL database:
//! a passkey is registered on the Security page, signs in without a
//! password, serves as the second step after the password, and once
//! removed on the Security page is refused although the authenticator
//! still offers it. The audit log confirms each step.
//!
//! The browser opens the server as `localhost`: browsers refuse WebAuthn on
//! IP addresses, and `flowdesk serve` binds passkeys to
//! `http://localhost:<port>` unless told its public URL.

use anyhow::{bail, ensure, Context, Result};
use fantoccini::{Client, Locator};
use flowdesk_e2e::{
    capture_page, click, fill_form, wait_for, wait_for_text, ApiSession, ChromeDriver, Postgres,
    Server, TestContext, ADMIN_PASSWORD, ADMIN_USERNAME, STARTUP_DEADLINE, UI_DEADLINE,
};
use serde_json::{json, Value};

const PASSKEY_NAME: &str = "E2E virtual authenticator";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkeys_register_sign_in_and_are_refused_once_removed_in_chromium() {
    let ctx = TestContext::new("passkeys").expect("creating the log directory");
    let result = run(&ctx).await;
    ctx.finish(result);
}

/// A virtual authenticator of the WebDriver WebAuthn extension, in the
/// browser session of `client`.
struct VirtualAuthenticator {
    endpoint: String,
    http: reqwest::Client,
}

impl VirtualAuthenticator {
    /// Adds an internal CTAP2 authenticator with resident keys and user
    /// verification that always verifies and is always present.
    async fn add(driver_url: &str, client: &Client) -> Result<Self> {
        let session = client
            .session_id()
            .await?
            .context("the WebDriver session has no id")?;
        let http = reqwest::Client::new();
        let base = format!("{driver_url}/session/{session}/webauthn/authenticator");
        let answer = webdriver(http.post(&base).json(&json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
            "automaticPresenceSimulation": true,
        })))
        .await
        .context("adding a virtual authenticator")?;
        let id = answer["value"]
            .as_str()
            .with_context(|| format!("no authenticator id in {answer}"))?;
        Ok(Self {
            endpoint: format!("{base}/{id}"),
            http,
        })
    }

    /// The credentials the authenticator holds.
    async fn credentials(&self) -> Result<Vec<Value>> {
        let answer = webdriver(self.http.get(format!("{}/credentials", self.endpoint))).await?;
        answer["value"]
            .as_array()
            .cloned()
            .with_context(|| format!("no credential list in {answer}"))
    }
}

/// Sends a WebDriver request; its JSON answer, or an error with the body.
async fn webdriver(request: reqwest::RequestBuilder) -> Result<Value> {
    let response = request.send().await?;
    let status = response.status();
    let body = response.text().await?;
    if !status.is_success() {
        bail!("WebDriver answered {status}: {body}");
    }
    serde_json::from_str(&body).with_context(|| format!("WebDriver answered no JSON: {body}"))
}

async fn run(ctx: &TestContext) -> Result<()> {
    let database = Postgres::fresh_database().await?;
    let server = Server::start(ctx, database.url()).await?;
    let site = server.base_url().replace("127.0.0.1", "localhost");
    let mut driver = ChromeDriver::start(ctx).await?;
    let client = driver.client().await?;
    let outcome = async {
        let authenticator = VirtualAuthenticator::add(driver.url(), &client).await?;
        client.goto(&site).await?;
        browser_flow(&client, &site, &authenticator).await
    }
    .await;
    capture_page(
        ctx,
        &client,
        if outcome.is_ok() { "after" } else { "failure" },
    )
    .await;
    client.close().await.ok();
    outcome?;

    let api = ApiSession::login(server.base_url(), ADMIN_USERNAME, ADMIN_PASSWORD)
        .await
        .context("the password no longer signs in after the passkey was removed")?;
    let audit = api.get_json("/api/audit?limit=200").await?;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .context("GET /api/audit has no items")?
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    for action in [
        "passkey.register",
        "auth.passkey",
        "passkey.delete",
        "auth.passkey_failed",
    ] {
        ensure!(
            actions.contains(&action),
            "no {action} entry in the audit log: {actions:?}"
        );
    }
    let passwordless_and_second_factor = audit["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["action"] == "auth.passkey")
        .filter_map(|entry| entry["detail"].as_str())
        .collect::<Vec<_>>();
    ensure!(
        passwordless_and_second_factor
            .iter()
            .any(|detail| detail.contains("passwordless"))
            && passwordless_and_second_factor
                .iter()
                .any(|detail| detail.contains("second factor")),
        "the audit log does not show both passkey sign-ins: {passwordless_and_second_factor:?}"
    );
    ensure!(
        api.get_json("/api/account/passkeys").await? == json!([]),
        "the removed passkey is still listed"
    );
    Ok(())
}

async fn browser_flow(
    client: &Client,
    site: &str,
    authenticator: &VirtualAuthenticator,
) -> Result<()> {
    wait_for(client, "#setup-username", STARTUP_DEADLINE)
        .await
        .context("the first-run screen did not appear")?;
    fill_form(
        client,
        &[
            ("#setup-username", ADMIN_USERNAME),
            ("#setup-password", ADMIN_PASSWORD),
            ("#setup-password-confirm", ADMIN_PASSWORD),
        ],
    )
    .await?;
    click(client, "#setup-submit", UI_DEADLINE).await?;
    wait_for(client, "[data-testid=nav-designer]", UI_DEADLINE)
        .await
        .context("the app shell did not appear after setup")?;

    // Register a passkey on the Security page.
    client.goto(&format!("{site}/#/account")).await?;
    wait_for(client, "[data-testid=passkeys-empty]", UI_DEADLINE)
        .await
        .context("the Security page shows no empty passkey list")?;
    fill_form(client, &[("#account-passkey-name", PASSKEY_NAME)]).await?;
    click(client, "#account-passkey-add", UI_DEADLINE).await?;
    wait_for_text(
        client,
        "[data-testid=passkey-row]",
        &format!("naming {PASSKEY_NAME:?}"),
        UI_DEADLINE,
        |text| text.contains(PASSKEY_NAME),
    )
    .await
    .context("the registered passkey is not listed")?;
    let held = authenticator.credentials().await?;
    ensure!(
        held.len() == 1
            && held[0]["isResidentCredential"] == true
            && held[0]["rpId"] == "localhost",
        "the authenticator does not hold one discoverable credential for localhost: {held:?}"
    );

    // Passwordless: sign out, then "Sign in with a passkey".
    sign_out(client).await?;
    click(client, "#login-passkey", UI_DEADLINE).await?;
    wait_for(client, "[data-testid=nav-designer]", UI_DEADLINE)
        .await
        .context("signing in with the passkey did not open the app")?;

    // Second factor: the password, then the passkey.
    sign_out(client).await?;
    fill_form(
        client,
        &[
            ("#login-username", ADMIN_USERNAME),
            ("#login-password", ADMIN_PASSWORD),
        ],
    )
    .await?;
    click(client, "#login-submit", UI_DEADLINE).await?;
    click(client, "#login-passkey-second", UI_DEADLINE)
        .await
        .context("the second step offered no passkey")?;
    wait_for(client, "[data-testid=nav-designer]", UI_DEADLINE)
        .await
        .context("the passkey as second step did not open the app")?;

    // Remove it on the Security page: the authenticator still offers the
    // credential, the server refuses it.
    client.goto(&format!("{site}/#/account")).await?;
    click(client, "[data-testid=passkey-delete]", UI_DEADLINE).await?;
    wait_for(client, "[data-testid=passkeys-empty]", UI_DEADLINE)
        .await
        .context("the removed passkey is still listed")?;
    sign_out(client).await?;
    click(client, "#login-passkey", UI_DEADLINE).await?;
    wait_for_text(
        client,
        "[data-testid=login-error]",
        "saying the passkey is not registered",
        UI_DEADLINE,
        |text| text.contains("not registered here"),
    )
    .await
    .context("the removed passkey was not refused")?;
    ensure!(
        client
            .find(Locator::Css("[data-testid=nav-designer]"))
            .await
            .is_err(),
        "the app opened with a removed passkey"
    );
    ensure!(
        authenticator.credentials().await?.len() == 1,
        "the authenticator lost its credential, so the refusal proves nothing"
    );
    Ok(())
}

/// Signs out through the user menu and waits for the login form.
async fn sign_out(client: &Client) -> Result<()> {
    click(client, "[data-testid=user-menu]", UI_DEADLINE).await?;
    click(client, "[data-testid=logout]", UI_DEADLINE).await?;
    wait_for(client, "#login-username", UI_DEADLINE)
        .await
        .context("signing out did not show the login form")?;
    Ok(())
}
