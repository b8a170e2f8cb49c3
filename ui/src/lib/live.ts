/**
 * Live updates: one `subscribe` for every screen, whatever carries the
 * events. In the browser an EventSource on GET /api/events (server-sent
 * events); on the desktop a Tauri channel (the `live_subscribe` command),
 * because the in-process API bridge answers each request whole and cannot
 * stream. Both deliver the same events (docs/INTERFACES.md, `LiveEvent`).
 *
 * A dropped connection is reopened with back-off (1 s, 2 s, 4 s … 30 s),
 * resuming after the last event id, so nothing is missed; a change may come
 * twice, and `reset` means "reload what you show".
 */
import { Channel, invoke } from '@tauri-apps/api/core';
import { buildUrl, isDesktop } from './api';

export type LiveKind = 'instance' | 'task' | 'incident' | 'job';

/** One change (the `data` of an event). */
export interface LiveEvent {
  seq: number;
  /**
   * `instance`, `task.created|claimed|unclaimed|completed`,
   * `incident.raised|resolved`, `job.created`; `ready` when the stream
   * opens; `reset` when changes were missed.
   */
  type: string;
  instance_id?: string;
  process_id?: string;
  state?: string;
  element_id?: string;
  key?: number;
  at?: string;
}

/** Which changes to receive (all when empty). */
export interface LiveFilter {
  instanceId?: string;
  processId?: string;
  types?: LiveKind[];
}

export type LiveStatus = 'connecting' | 'live' | 'offline';

/** What a transport reports while it is open. */
export interface TransportHandlers {
  event(id: string, data: LiveEvent): void;
  /** The connection failed or ended; the transport is finished. */
  error(): void;
}

/** Opens one connection; `close` ends it. */
export type Transport = (
  query: Record<string, string>,
  lastEventId: string | null,
  handlers: TransportHandlers,
) => { close(): void };

export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 30_000;

/** The delay before reconnection attempt `attempt` (0-based). */
export function retryDelay(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(attempt, 15));
}

/** The query of GET /api/events (and of the desktop command) for a filter. */
export function eventsQuery(filter: LiveFilter): Record<string, string> {
  const query: Record<string, string> = {};
  if (filter.instanceId) query.instance_id = filter.instanceId;
  if (filter.processId) query.process_id = filter.processId;
  if (filter.types?.length) query.types = filter.types.join(',');
  return query;
}

/** The browser: an EventSource, closed on its first error (we reconnect ourselves, with back-off). */
export const eventSourceTransport: Transport = (query, lastEventId, handlers) => {
  const url = buildUrl('/api/events', { ...query, last_event_id: lastEventId });
  const source = new EventSource(url, { withCredentials: true });
  source.onmessage = (message: MessageEvent<string>) => {
    try {
      handlers.event(message.lastEventId, JSON.parse(message.data) as LiveEvent);
    } catch {
      // Not an event of ours: skipped.
    }
  };
  source.onerror = () => {
    source.close();
    handlers.error();
  };
  return { close: () => source.close() };
};

/** A message of the desktop's live channel (src-tauri/src/live.rs). */
export type ChannelMessage = { kind: 'event'; id: string; data: LiveEvent } | { kind: 'closed'; reason: string };

/** The desktop: the `live_subscribe` command streams over a Tauri channel. */
export const tauriTransport: Transport = (query, lastEventId, handlers) => {
  let closed = false;
  let subscription: number | null = null;
  const channel = new Channel<ChannelMessage>((message) => {
    if (closed) return;
    if (message.kind === 'event') {
      handlers.event(message.id, message.data);
    } else {
      closed = true;
      handlers.error();
    }
  });
  invoke<number>('live_subscribe', { query, lastEventId, channel }).then(
    (id) => {
      subscription = id;
      if (closed) void invoke('live_unsubscribe', { id });
    },
    () => {
      if (!closed) {
        closed = true;
        handlers.error();
      }
    },
  );
  return {
    close: () => {
      closed = true;
      if (subscription !== null) void invoke('live_unsubscribe', { id: subscription });
    },
  };
};

export interface SubscribeOptions {
  onStatus?: (status: LiveStatus) => void;
  /** Defaults to the Tauri channel on the desktop, EventSource in the browser. */
  transport?: Transport;
}

export interface Subscription {
  close(): void;
}

/**
 * Receives the changes `filter` selects until `close`. `onEvent` also gets
 * `ready` (the stream is open; after a reconnection reload what may have
 * been missed) and `reset`.
 */
export function subscribe(
  filter: LiveFilter,
  onEvent: (event: LiveEvent) => void,
  options: SubscribeOptions = {},
): Subscription {
  const transport = options.transport ?? (isDesktop() ? tauriTransport : eventSourceTransport);
  const query = eventsQuery(filter);
  let lastEventId: string | null = null;
  let attempt = 0;
  let connection: { close(): void } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const status = (value: LiveStatus) => options.onStatus?.(value);

  function open() {
    timer = null;
    status('connecting');
    connection = transport(query, lastEventId, {
      event(id, data) {
        if (stopped) return;
        if (id) lastEventId = id;
        if (data.type === 'ready') {
          attempt = 0;
          status('live');
        }
        onEvent(data);
      },
      error() {
        if (stopped) return;
        connection = null;
        status('offline');
        timer = setTimeout(open, retryDelay(attempt));
        attempt += 1;
      },
    });
  }

  open();
  return {
    close() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      connection?.close();
      connection = null;
    },
  };
}

/**
 * Calls `reload` (at most once per `delayMs`) after changes `filter`
 * selects, and after a reconnection: what screens showing server state do
 * with live updates.
 */
export function reloadOnChange(
  filter: LiveFilter,
  reload: () => void,
  options: SubscribeOptions & { delayMs?: number } = {},
): Subscription {
  const delay = options.delayMs ?? 300;
  let pending: ReturnType<typeof setTimeout> | null = null;
  let opened = false;
  const subscription = subscribe(
    filter,
    (event) => {
      if (event.type === 'ready' && !opened) {
        opened = true;
        return;
      }
      if (pending === null) {
        pending = setTimeout(() => {
          pending = null;
          reload();
        }, delay);
      }
    },
    options,
  );
  return {
    close() {
      if (pending !== null) clearTimeout(pending);
      subscription.close();
    },
  };
}
