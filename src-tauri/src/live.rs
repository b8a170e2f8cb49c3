//! Live updates on the desktop.
//!
//! The `flowdesk://` bridge answers each webview request whole, so it cannot
//! carry a stream of server-sent events. The UI calls `live_subscribe`
//! instead and gets the same events over a Tauri channel: on this computer
//! from GET /api/events of the local Router (same authentication, filters
//! and resumption as in the browser), connected from the cluster's
//! GET /api/events with the profile's token. `live_unsubscribe` ends it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use http::{header, HeaderValue, Request, StatusCode};
use http_body_util::BodyExt;
use serde::Serialize;
use tauri::ipc::Channel;
use tower::ServiceExt;

use crate::bridge::{Bridge, EventSource};

/// What the channel carries (`ChannelMessage` in ui/src/lib/live.ts).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Message {
    /// One server-sent event: its id and its JSON data.
    Event {
        /// `RESUME:SEQ`.
        id: String,
        /// The change.
        data: serde_json::Value,
    },
    /// The stream ended or could not open; the UI reconnects.
    Closed {
        /// Why, for the log.
        reason: String,
    },
}

/// The open subscriptions, by id.
#[derive(Default)]
pub struct Subscriptions {
    next: AtomicU64,
    open: Mutex<HashMap<u64, tauri::async_runtime::JoinHandle<()>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Splits complete events off the front of `buffer` (SSE framing: lines,
/// events ended by a blank line; comments and keep-alives skipped).
fn take_events(buffer: &mut String) -> Vec<Message> {
    let mut events = Vec::new();
    while let Some(end) = buffer.find("\n\n") {
        let frame: String = buffer.drain(..end + 2).collect();
        let mut id = String::new();
        let mut data = String::new();
        for line in frame.lines() {
            if let Some(value) = line.strip_prefix("id:") {
                id = value.trim_start().to_string();
            } else if let Some(value) = line.strip_prefix("data:") {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(value.strip_prefix(' ').unwrap_or(value));
            }
        }
        if let Ok(data) = serde_json::from_str(&data) {
            events.push(Message::Event { id, data });
        }
    }
    events
}

/// `/api/events` with the filter's query.
fn events_path(query: &[(String, String)]) -> String {
    let encoded: Vec<String> = query
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect();
    if encoded.is_empty() {
        "/api/events".to_string()
    } else {
        format!("/api/events?{}", encoded.join("&"))
    }
}

/// Percent-encodes a query component (RFC 3986 unreserved characters kept).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// Reads the event stream of `source` into `sink` until it ends or `sink`
/// answers false (the window is gone); answers why it stopped.
async fn pump(
    source: EventSource,
    query: Vec<(String, String)>,
    last_event_id: Option<String>,
    sink: impl Fn(Message) -> bool,
) -> String {
    let mut buffer = String::new();
    let forward = |chunk: &[u8], buffer: &mut String| -> bool {
        buffer.push_str(&String::from_utf8_lossy(chunk));
        take_events(buffer).into_iter().all(&sink)
    };
    match source {
        EventSource::Local { router, cookie } => {
            let mut request = Request::get(events_path(&query));
            if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
                request = request.header(header::COOKIE, cookie);
            }
            if let Some(id) = last_event_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
                request = request.header("last-event-id", id);
            }
            let Ok(request) = request.body(Body::empty()) else {
                return "invalid request".to_string();
            };
            let response = match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if response.status() != StatusCode::OK {
                return format!("the local API answered {}", response.status());
            }
            let mut body = response.into_body();
            while let Some(frame) = body.frame().await {
                match frame {
                    Ok(frame) => {
                        if let Some(data) = frame.data_ref() {
                            if !forward(data, &mut buffer) {
                                return "the window closed".to_string();
                            }
                        }
                    }
                    Err(error) => return error.to_string(),
                }
            }
            "the stream ended".to_string()
        }
        EventSource::Remote(client) => {
            let pairs: Vec<(&str, &str)> = query
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            let mut response = match client.events(&pairs, last_event_id.as_deref()).await {
                Ok(response) => response,
                Err(error) => return error.to_string(),
            };
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        if !forward(&chunk, &mut buffer) {
                            return "the window closed".to_string();
                        }
                    }
                    Ok(None) => return "the stream ended".to_string(),
                    Err(error) => return error.to_string(),
                }
            }
        }
    }
}

/// Starts streaming the changes `query` selects (`instance_id`,
/// `process_id`, `types`) into `channel`, after `last_event_id`; answers the
/// subscription's id for [`live_unsubscribe`].
#[tauri::command]
pub fn live_subscribe(
    bridge: tauri::State<'_, Arc<Bridge>>,
    subscriptions: tauri::State<'_, Arc<Subscriptions>>,
    query: HashMap<String, String>,
    last_event_id: Option<String>,
    channel: Channel<Message>,
) -> u64 {
    let id = subscriptions.next.fetch_add(1, Ordering::Relaxed);
    let source = bridge.event_source();
    let mut query: Vec<(String, String)> = query.into_iter().collect();
    query.sort();
    let open = subscriptions.inner().clone();
    let task = tauri::async_runtime::spawn(async move {
        let sender = channel.clone();
        let reason = pump(source, query, last_event_id, move |message| {
            sender.send(message).is_ok()
        })
        .await;
        tracing::debug!(subscription = id, %reason, "live updates closed");
        let _ = channel.send(Message::Closed { reason });
        lock(&open.open).remove(&id);
    });
    lock(&subscriptions.open).insert(id, task);
    id
}

/// Ends a subscription of [`live_subscribe`] (unknown ids are ignored).
#[tauri::command]
pub fn live_unsubscribe(subscriptions: tauri::State<'_, Arc<Subscriptions>>, id: u64) {
    if let Some(task) = lock(&subscriptions.open).remove(&id) {
        task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_split_at_blank_lines_and_comments_skipped() {
        let mut buffer = String::from(
            ": keep-alive\n\nid: 3:4\ndata: {\"seq\":4,\"type\":\"instance\"}\n\nid: 3:5\ndata: {\"se",
        );
        let events = take_events(&mut buffer);
        assert_eq!(
            events,
            [Message::Event {
                id: "3:4".into(),
                data: serde_json::json!({"seq": 4, "type": "instance"}),
            }]
        );
        assert_eq!(buffer, "id: 3:5\ndata: {\"se", "the incomplete event waits");
        buffer.push_str("q\":5,\"type\":\"ready\"}\n\n");
        assert_eq!(take_events(&mut buffer).len(), 1);
        assert!(buffer.is_empty());
    }

    /// A bridge on a fresh workspace with a signed-in administrator.
    async fn signed_in_bridge(test: &str) -> (Arc<Bridge>, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("flowdesk-live-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let bridge = Bridge::open_local(&dir, false, Some(flowdesk_vault::MasterKey::generate()))
            .await
            .expect("open local workspace");
        let bridge = Arc::new(bridge);
        let setup = Request::post("flowdesk://localhost/api/auth/setup")
            .header(header::ORIGIN, "tauri://localhost")
            .header(header::CONTENT_TYPE, "application/json")
            .body(br#"{"username":"ada","password":"correct horse battery"}"#.to_vec())
            .expect("valid request");
        assert_eq!(
            bridge.clone().handle(setup).await.status(),
            StatusCode::CREATED
        );
        (bridge, dir)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_local_stream_reaches_the_sink_with_the_kept_session() {
        let (bridge, dir) = signed_in_bridge("stream").await;
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = received.clone();
        let reason = pump(
            bridge.event_source(),
            vec![("types".to_string(), "task".to_string())],
            None,
            move |message| {
                lock(&kept).push(message);
                false
            },
        )
        .await;
        assert_eq!(reason, "the window closed");
        let received = lock(&received);
        match received.first() {
            Some(Message::Event { id, data }) => {
                assert_eq!(data["type"], "ready");
                assert!(id.contains(':'), "{id}");
            }
            other => panic!("expected the ready event, got {other:?}"),
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_refused_stream_says_why() {
        let (bridge, dir) = signed_in_bridge("refused").await;
        let reason = pump(
            bridge.event_source(),
            vec![("types".to_string(), "weather".to_string())],
            None,
            |_| true,
        )
        .await;
        assert_eq!(reason, "the local API answered 400 Bad Request");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_filter_becomes_the_query() {
        assert_eq!(events_path(&[]), "/api/events");
        let query = [
            ("process_id".to_string(), "order approval".to_string()),
            ("types".to_string(), "task,incident".to_string()),
        ];
        assert_eq!(
            events_path(&query),
            "/api/events?process_id=order%20approval&types=task%2Cincident"
        );
    }
}
