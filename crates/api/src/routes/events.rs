//! Live updates: `GET /api/events`, a server-sent event stream of changes
//! (an instance changed, a user task created, claimed or completed, an
//! incident raised or resolved, a job created).
//!
//! The source is the history log (see `flowdesk_store::changes`): one
//! tailer per node reads it by `seq` and feeds a broadcast channel every
//! open stream of the node listens to, so a hundred open consoles cost one
//! query per poll, not a hundred. The tailer runs while somebody listens.
//!
//! Each event's SSE id is `RESUME:SEQ`: `SEQ` is the history row it comes
//! from, `RESUME` a seq up to which the node has delivered everything
//! (late-committing rows included). A client that reconnects with
//! `Last-Event-ID` (or `?last_event_id=`) gets every change after `RESUME`
//! replayed from history, then the live ones: at least once, so a change
//! may come twice; `seq` tells them apart.

use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use flowdesk_identity::rbac::ResourceType;
use flowdesk_identity::{Permission, Principal};
use flowdesk_store::changes::{self, Change, Tail};
use flowdesk_store::Store;
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, QueryParams};
use crate::types::rfc3339;
use crate::{now_ms, ApiError, AppState};

/// How often the tailer reads history when the last read was not full.
const POLL: Duration = Duration::from_millis(250);

/// History rows per read.
const BATCH: i64 = 500;

/// Batches a slow stream may fall behind before it is told to reload.
const CHANNEL_CAPACITY: usize = 256;

/// Most changes replayed to a resuming client; further behind, it is told
/// to reload instead.
const MAX_REPLAY: i64 = 1_000;

/// A comment line this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The kinds of change, as the `type` of an event (and `types` of the query
/// name them by the part before the dot).
const TYPES: [&str; 4] = ["instance", "task", "incident", "job"];

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

/// One change, the `data` of an event (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LiveEvent {
    /// The history row it comes from (increasing, unique).
    pub seq: i64,
    /// `instance`, `task.created`, `task.claimed`, `task.unclaimed`,
    /// `task.completed`, `incident.raised`, `incident.resolved`,
    /// `job.created`; `ready` when the stream opens; `reset` when changes
    /// were missed (reload what is shown).
    #[serde(rename = "type")]
    pub kind: String,
    /// The instance concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// Its process id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_id: Option<String>,
    /// Its state when the change was read (`incident`: active with an open incident).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The element concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element_id: Option<String>,
    /// The task, incident or job key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<i64>,
    /// When it happened (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The SSE id: `RESUME:SEQ`.
    #[serde(skip)]
    id: String,
}

impl LiveEvent {
    fn signal(kind: &str, resume: i64) -> LiveEvent {
        LiveEvent {
            seq: resume,
            kind: kind.to_string(),
            instance_id: None,
            process_id: None,
            state: None,
            element_id: None,
            key: None,
            at: None,
            id: format!("{resume}:{resume}"),
        }
    }

    fn from_change(change: &Change, resume: i64) -> LiveEvent {
        let detail: serde_json::Value =
            serde_json::from_str(&change.detail).unwrap_or(serde_json::Value::Null);
        let text = |name: &str| detail.get(name).and_then(serde_json::Value::as_str);
        let number = |value: Option<&serde_json::Value>| value.and_then(serde_json::Value::as_i64);
        let (kind, key) = match change.kind.as_str() {
            "jobCreated" if text("kind") == Some("userTask") => {
                ("task.created", number(detail.get("key")))
            }
            "jobCreated" => ("job.created", number(detail.get("key"))),
            "elementCompleted" if text("element_type") == Some("userTask") => {
                ("task.completed", None)
            }
            "taskClaimed" => ("task.claimed", number(detail.get("key"))),
            "taskUnclaimed" => ("task.unclaimed", number(detail.get("key"))),
            "incidentRaised" => (
                "incident.raised",
                number(detail.get("incident").and_then(|i| i.get("key"))),
            ),
            "incidentResolved" => ("incident.resolved", number(detail.get("key"))),
            _ => ("instance", None),
        };
        LiveEvent {
            seq: change.seq,
            kind: kind.to_string(),
            instance_id: Some(change.instance_id.clone()),
            process_id: Some(change.process_id.clone()),
            state: Some(change.instance_state.clone()),
            element_id: change.element_id.clone(),
            key,
            at: Some(rfc3339(change.at)),
            id: format!("{resume}:{}", change.seq),
        }
    }

    fn category(&self) -> &str {
        self.kind.split('.').next().unwrap_or(&self.kind)
    }
}

/// The events of rows read together, `instance` changes of one instance
/// merged into the last (a command writes several rows; the console
/// reloads once).
fn events_of(changes: &[Change], resume: i64) -> Vec<LiveEvent> {
    let mut events: Vec<LiveEvent> = changes
        .iter()
        .map(|change| LiveEvent::from_change(change, resume))
        .collect();
    let mut seen = HashSet::new();
    for index in (0..events.len()).rev() {
        let event = &events[index];
        if event.kind == "instance" && !seen.insert(event.instance_id.clone()) {
            events.remove(index);
        }
    }
    events
}

/// The node's tailer and the channel of its batches.
#[derive(Clone)]
pub(crate) struct Hub {
    store: Store,
    sender: broadcast::Sender<Arc<Vec<LiveEvent>>>,
    /// The running tailer, and the resume point and high-water mark it has reached.
    tailer: Arc<Mutex<Tailer>>,
}

#[derive(Default)]
struct Tailer {
    task: Option<tokio::task::JoinHandle<()>>,
    resume: i64,
}

impl Hub {
    pub(crate) fn new(store: Store) -> Hub {
        Hub {
            store,
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
            tailer: Arc::new(Mutex::new(Tailer::default())),
        }
    }

    /// Listens to the node's changes (starting the tailer when nobody did)
    /// and returns the resume point reached so far.
    async fn subscribe(&self) -> Result<(broadcast::Receiver<Arc<Vec<LiveEvent>>>, i64), ApiError> {
        let running = lock(&self.tailer)
            .task
            .as_ref()
            .is_some_and(|task| !task.is_finished());
        let start = if running {
            None
        } else {
            Some(changes::latest_seq(&self.store).await?)
        };
        let mut tailer = lock(&self.tailer);
        let receiver = self.sender.subscribe();
        if tailer.task.as_ref().is_none_or(|task| task.is_finished()) {
            let from = start.unwrap_or(tailer.resume);
            tailer.resume = from;
            tailer.task = Some(tokio::spawn(self.clone().tail(Tail::after(from))));
        }
        Ok((receiver, tailer.resume))
    }

    /// Reads history and broadcasts it until nobody listens.
    async fn tail(self, mut tail: Tail) {
        loop {
            let full = match tail.poll(&self.store, BATCH, now_ms()).await {
                Ok(changes) => {
                    let resume = tail.resume_point();
                    lock(&self.tailer).resume = resume;
                    if !changes.is_empty() {
                        // No receiver is not an error: the check below ends the loop.
                        let _ = self.sender.send(Arc::new(events_of(&changes, resume)));
                    }
                    changes.len() as i64 == BATCH
                }
                Err(error) => {
                    tracing::warn!(%error, "reading history for live updates");
                    false
                }
            };
            {
                // Under the lock subscribe() takes, so a new listener either
                // is counted here or starts a new tailer.
                let mut tailer = lock(&self.tailer);
                if self.sender.receiver_count() == 0 {
                    tailer.task = None;
                    return;
                }
            }
            if !full {
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

/// Locks a mutex, recovering from poisoning: the guarded values are
/// replaced whole, never left half-updated.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Query of GET /api/events.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only changes of this instance.
    pub instance_id: Option<String>,
    /// Only changes of instances of this process.
    pub process_id: Option<String>,
    /// Only these kinds, comma-separated: `instance`, `task`, `incident`, `job`.
    pub types: Option<String>,
    /// Resume after this event id, as the `Last-Event-ID` header does (which wins).
    pub last_event_id: Option<String>,
}

/// Whose instances a caller may read.
enum Readable {
    /// Every process's (`instance:read`).
    All,
    /// Those of these processes (`instance:read` granted on each).
    Processes(HashSet<String>),
}

/// What the caller may read: `instance:read`, else the processes its role
/// was granted `instance:read` on (an API token scoped without it gets none).
async fn readable(state: &AppState, principal: &Principal) -> Result<Readable, ApiError> {
    if principal.has(Permission::InstanceRead) {
        return Ok(Readable::All);
    }
    let mut processes = HashSet::new();
    for grant in flowdesk_store::roles::grants_of(state.store.pool(), &principal.role).await? {
        if grant.permission == Permission::InstanceRead.as_str()
            && grant.resource_type == ResourceType::Process.as_str()
            && state
                .identity
                .allows_on_resource(
                    principal,
                    Permission::InstanceRead,
                    ResourceType::Process,
                    &grant.resource_id,
                )
                .await?
        {
            processes.insert(grant.resource_id);
        }
    }
    Ok(Readable::Processes(processes))
}

/// What one stream passes on.
struct Filter {
    instance_id: Option<String>,
    process_id: Option<String>,
    types: Option<Vec<String>>,
    readable: Readable,
}

impl Filter {
    fn new(query: &EventsQuery, readable: Readable) -> Result<Filter, ApiError> {
        let text = |value: &Option<String>| value.clone().filter(|s| !s.is_empty());
        let types = match text(&query.types) {
            None => None,
            Some(list) => Some(
                list.split(',')
                    .map(str::trim)
                    .map(|kind| {
                        if TYPES.contains(&kind) {
                            Ok(kind.to_string())
                        } else {
                            Err(ApiError::InvalidRequest(format!(
                                "types: unknown kind {kind:?} (expected a comma-separated list of {})",
                                TYPES.join(", ")
                            )))
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(Filter {
            instance_id: text(&query.instance_id),
            process_id: text(&query.process_id),
            types,
            readable,
        })
    }

    fn passes(&self, event: &LiveEvent) -> bool {
        let may_read = match &self.readable {
            Readable::All => true,
            Readable::Processes(ids) => {
                event.process_id.as_ref().is_some_and(|id| ids.contains(id))
            }
        };
        may_read
            && self
                .instance_id
                .as_ref()
                .is_none_or(|id| event.instance_id.as_ref() == Some(id))
            && self
                .process_id
                .as_ref()
                .is_none_or(|id| event.process_id.as_ref() == Some(id))
            && self
                .types
                .as_ref()
                .is_none_or(|types| types.iter().any(|t| t == event.category()))
    }
}

/// The resume point of an event id (`RESUME:SEQ`, or a bare seq); 400
/// naming where it came from when it is neither.
fn resume_point(id: &str, source: &str) -> Result<i64, ApiError> {
    let resume = id.split_once(':').map_or(id, |(resume, _)| resume);
    resume
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|seq| *seq >= 0)
        .ok_or_else(|| {
            ApiError::InvalidRequest(format!(
                "{source}: {id:?} is not an event id of this stream (expected RESUME:SEQ)"
            ))
        })
}

/// The state of one open stream.
struct Subscription {
    receiver: broadcast::Receiver<Arc<Vec<LiveEvent>>>,
    pending: VecDeque<LiveEvent>,
    /// Seqs replayed from history, not to be sent again when they arrive live.
    replayed: HashSet<i64>,
    filter: Filter,
    tailer: Arc<Mutex<Tailer>>,
}

impl Subscription {
    async fn next(&mut self) -> Option<LiveEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            match self.receiver.recv().await {
                Ok(batch) => {
                    for event in batch.iter() {
                        if !self.replayed.contains(&event.seq) && self.filter.passes(event) {
                            self.pending.push_back(event.clone());
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let resume = lock(&self.tailer).resume;
                    self.pending.push_back(LiveEvent::signal("reset", resume));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

fn sse_event(event: &LiveEvent) -> Event {
    Event::default()
        .id(event.id.clone())
        .data(serde_json::to_string(event).unwrap_or_default())
}

/// A stream of changes (server-sent events, `text/event-stream`) the caller
/// may read: each event's `data` is a [`LiveEvent`] in JSON, its `id`
/// `RESUME:SEQ`. The first event is `ready`. With `Last-Event-ID` (or
/// `last_event_id`) the changes since are replayed first, or a `reset`
/// when more than 1,000 were missed. Changes of instances need
/// `instance:read`, on every process or granted on theirs; without it the
/// stream stays open and quiet.
#[utoipa::path(get, path = "/api/events", tag = "events", params(EventsQuery),
    responses((status = 200, description = "Server-sent events", content_type = "text/event-stream", body = LiveEvent),
              (status = 400, description = "Bad filter or event id", body = ProblemDetails)))]
async fn events(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    QueryParams(query): QueryParams<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let filter = Filter::new(&query, readable(&state, &principal).await?)?;
    let resume_from = match headers.get("last-event-id") {
        Some(value) => Some(resume_point(
            value.to_str().unwrap_or("\u{fffd}"),
            "Last-Event-ID",
        )?),
        None => query
            .last_event_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .map(|id| resume_point(id, "last_event_id"))
            .transpose()?,
    };
    let (receiver, resume) = state.live.subscribe().await?;
    let mut pending = VecDeque::from([LiveEvent::signal("ready", resume)]);
    let mut replayed = HashSet::new();
    if let Some(from) = resume_from {
        let missed = changes::read(&state.store, from, &[], MAX_REPLAY + 1).await?;
        if missed.len() as i64 > MAX_REPLAY {
            pending.push_back(LiveEvent::signal("reset", resume));
        } else {
            // Rows below `from` may still commit: resuming from these
            // events must start at `from` again.
            replayed.extend(missed.iter().map(|change| change.seq));
            pending.extend(
                events_of(&missed, from)
                    .into_iter()
                    .filter(|event| filter.passes(event)),
            );
        }
    }
    let subscription = Subscription {
        receiver,
        pending,
        replayed,
        filter,
        tailer: state.live.tailer.clone(),
    };
    let stream = futures_util::stream::unfold(subscription, |mut subscription| async move {
        let event = subscription.next().await?;
        Some((Ok(sse_event(&event)), subscription))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(seq: i64, instance: &str, kind: &str, detail: &str) -> Change {
        Change {
            seq,
            instance_id: instance.into(),
            process_id: "order".into(),
            instance_state: "active".into(),
            at: 0,
            kind: kind.into(),
            element_id: Some("task".into()),
            detail: detail.into(),
        }
    }

    #[test]
    fn rows_become_typed_events_and_one_instance_change_per_read() {
        let events = events_of(
            &[
                change(1, "a", "elementActivated", "{}"),
                change(2, "a", "jobCreated", r#"{"key":7,"kind":"userTask"}"#),
                change(3, "a", "elementActivated", "{}"),
                change(4, "b", "jobCreated", r#"{"key":8,"kind":"worker"}"#),
                change(5, "a", "incidentRaised", r#"{"incident":{"key":9}}"#),
                change(6, "a", "elementCompleted", r#"{"element_type":"userTask"}"#),
                change(7, "a", "taskClaimed", r#"{"key":7,"assignee":"ann"}"#),
            ],
            0,
        );
        let kinds: Vec<(&str, i64, Option<i64>)> = events
            .iter()
            .map(|e| (e.kind.as_str(), e.seq, e.key))
            .collect();
        assert_eq!(
            kinds,
            [
                ("task.created", 2, Some(7)),
                ("instance", 3, None),
                ("job.created", 4, Some(8)),
                ("incident.raised", 5, Some(9)),
                ("task.completed", 6, None),
                ("task.claimed", 7, Some(7)),
            ]
        );
        assert_eq!(events[1].id, "0:3");
    }

    #[test]
    fn event_ids_resume_at_their_first_part() {
        assert_eq!(resume_point("12:40", "Last-Event-ID").unwrap(), 12);
        assert_eq!(resume_point("40", "Last-Event-ID").unwrap(), 40);
        for bad in ["", "x:1", "-3:4", "1.5"] {
            let error = resume_point(bad, "Last-Event-ID").unwrap_err().to_string();
            assert!(error.contains("Last-Event-ID"), "{error}");
        }
    }
}
