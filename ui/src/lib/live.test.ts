import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  eventSourceTransport,
  eventsQuery,
  reloadOnChange,
  retryDelay,
  subscribe,
  type LiveEvent,
  type LiveStatus,
  type Transport,
  type TransportHandlers,
} from './live';

/** A transport the test drives: every connection it opened, with its arguments. */
function fakeTransport() {
  const opened: { query: Record<string, string>; lastEventId: string | null; handlers: TransportHandlers; closed: boolean }[] = [];
  const transport: Transport = (query, lastEventId, handlers) => {
    const connection = { query, lastEventId, handlers, closed: false };
    opened.push(connection);
    return { close: () => (connection.closed = true) };
  };
  return { transport, opened };
}

const ready = (seq: number): LiveEvent => ({ seq, type: 'ready' });
const change = (seq: number, type = 'instance'): LiveEvent => ({ seq, type, instance_id: 'i1', process_id: 'order' });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('eventsQuery', () => {
  it('names the filter as GET /api/events does', () => {
    expect(eventsQuery({})).toEqual({});
    expect(eventsQuery({ instanceId: 'i1', processId: 'order', types: ['task', 'incident'] })).toEqual({
      instance_id: 'i1',
      process_id: 'order',
      types: 'task,incident',
    });
  });
});

describe('subscribe', () => {
  it('reconnects with doubling back-off, resuming after the last event id', () => {
    const { transport, opened } = fakeTransport();
    const statuses: LiveStatus[] = [];
    const events: LiveEvent[] = [];
    const subscription = subscribe({ types: ['task'] }, (e) => events.push(e), {
      transport,
      onStatus: (s) => statuses.push(s),
    });
    expect(opened).toHaveLength(1);
    expect(opened[0].query).toEqual({ types: 'task' });
    expect(opened[0].lastEventId).toBeNull();

    opened[0].handlers.event('5:5', ready(5));
    opened[0].handlers.event('5:7', change(7, 'task.created'));
    expect(statuses).toEqual(['connecting', 'live']);
    expect(events.map((e) => e.type)).toEqual(['ready', 'task.created']);

    opened[0].handlers.error();
    expect(statuses.at(-1)).toBe('offline');
    vi.advanceTimersByTime(999);
    expect(opened).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(opened).toHaveLength(2);
    expect(opened[1].lastEventId).toBe('5:7');

    // Failing again before it opens: 2 s, then 4 s.
    opened[1].handlers.error();
    vi.advanceTimersByTime(1_999);
    expect(opened).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(opened).toHaveLength(3);
    opened[2].handlers.error();
    vi.advanceTimersByTime(4_000);
    expect(opened).toHaveLength(4);

    // Once open again, the back-off starts over.
    opened[3].handlers.event('7:7', ready(7));
    opened[3].handlers.error();
    vi.advanceTimersByTime(1_000);
    expect(opened).toHaveLength(5);
    expect(opened[4].lastEventId).toBe('7:7');

    subscription.close();
    expect(opened[4].closed).toBe(true);
    opened[4].handlers.error();
    vi.advanceTimersByTime(60_000);
    expect(opened).toHaveLength(5);
  });

  it('caps the back-off at 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 40].map(retryDelay)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('stops retrying when closed while waiting', () => {
    const { transport, opened } = fakeTransport();
    const subscription = subscribe({}, () => {}, { transport });
    opened[0].handlers.error();
    subscription.close();
    vi.advanceTimersByTime(60_000);
    expect(opened).toHaveLength(1);
  });
});

describe('reloadOnChange', () => {
  it('reloads once per burst of changes, and after a reconnection, not on the first ready', () => {
    const { transport, opened } = fakeTransport();
    const reload = vi.fn();
    const subscription = reloadOnChange({ instanceId: 'i1' }, reload, { transport, delayMs: 300 });
    expect(opened[0].query).toEqual({ instance_id: 'i1' });
    opened[0].handlers.event('1:1', ready(1));
    vi.advanceTimersByTime(1_000);
    expect(reload).not.toHaveBeenCalled();

    opened[0].handlers.event('1:2', change(2));
    opened[0].handlers.event('1:3', change(3, 'task.created'));
    opened[0].handlers.event('1:4', change(4));
    vi.advanceTimersByTime(299);
    expect(reload).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(reload).toHaveBeenCalledTimes(1);

    opened[0].handlers.error();
    vi.advanceTimersByTime(1_000);
    opened[1].handlers.event('4:4', ready(4));
    vi.advanceTimersByTime(300);
    expect(reload).toHaveBeenCalledTimes(2);

    opened[1].handlers.event('4:5', change(5));
    subscription.close();
    vi.advanceTimersByTime(1_000);
    expect(reload).toHaveBeenCalledTimes(2);
  });
});

describe('eventSourceTransport', () => {
  class FakeEventSource {
    static last: FakeEventSource | null = null;
    onmessage: ((message: MessageEvent<string>) => void) | null = null;
    onerror: (() => void) | null = null;
    closed = false;
    constructor(
      public url: string,
      public init: EventSourceInit,
    ) {
      FakeEventSource.last = this;
    }
    close() {
      this.closed = true;
    }
  }

  beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
  afterEach(() => vi.unstubAllGlobals());

  it('opens GET /api/events with the filter and the resume id, and closes on error', () => {
    const events: [string, LiveEvent][] = [];
    const errors = vi.fn();
    eventSourceTransport({ process_id: 'order', types: 'task' }, '3:9', {
      event: (id, data) => events.push([id, data]),
      error: errors,
    });
    const source = FakeEventSource.last!;
    expect(source.url).toBe('/api/events?process_id=order&types=task&last_event_id=3%3A9');
    expect(source.init.withCredentials).toBe(true);
    source.onmessage!(new MessageEvent('message', { data: JSON.stringify(change(10)), lastEventId: '3:10' }));
    source.onmessage!(new MessageEvent('message', { data: 'not json', lastEventId: '3:11' }));
    expect(events).toEqual([['3:10', change(10)]]);
    source.onerror!();
    expect(source.closed).toBe(true);
    expect(errors).toHaveBeenCalledTimes(1);
  });
});
