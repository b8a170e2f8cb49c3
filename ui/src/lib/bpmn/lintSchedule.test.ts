import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import EventBus from 'diagram-js/lib/core/EventBus';
import { LARGE_DIAGRAM, LINT_PAUSE_MS, LintSchedule } from './lintSchedule';

/** bpmn-js-bpmnlint's side: `update` lints (counted) and fires `linting.completed`, as its listeners call it. */
function linting(eventBus: EventBus) {
  const linting = {
    runs: 0,
    update() {
      linting.runs += 1;
      queueMicrotask(() => eventBus.fire('linting.completed', { issues: {} }));
    },
  };
  eventBus.on(['import.done', 'elements.changed'], () => linting.update());
  return linting;
}

/** An element registry holding `count` elements. */
const registry = (count: number) => ({ getAll: () => new Array<unknown>(count) });

describe('LintSchedule on a small diagram', () => {
  it('lints at the first idle moment after import and after each change, without waiting for a pause', async () => {
    vi.useFakeTimers();
    const eventBus = new EventBus();
    const lint = linting(eventBus);
    new LintSchedule(lint, eventBus, registry(LARGE_DIAGRAM - 1));
    eventBus.fire('import.done');
    expect(lint.runs).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(lint.runs).toBe(1);
    eventBus.fire('elements.changed', { elements: [] });
    await vi.advanceTimersByTimeAsync(50);
    expect(lint.runs).toBe(2);
    vi.useRealTimers();
  });
});

describe('LintSchedule on a large diagram', () => {
  let eventBus: EventBus;
  let lint: ReturnType<typeof linting>;
  let schedule: LintSchedule;

  beforeEach(() => {
    vi.useFakeTimers();
    eventBus = new EventBus();
    lint = linting(eventBus);
    schedule = new LintSchedule(lint, eventBus, registry(LARGE_DIAGRAM));
    eventBus.fire('import.done');
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('lints after import only once the page is idle, not in the same task', async () => {
    expect(lint.runs).toBe(0);
    expect(schedule.pending).toBe(true);
    await vi.advanceTimersByTimeAsync(LINT_PAUSE_MS + 2_100);
    expect(lint.runs).toBe(1);
    expect(schedule.pending).toBe(false);
  });

  it('lints a burst of changes once, after they pause', async () => {
    await vi.advanceTimersByTimeAsync(LINT_PAUSE_MS + 2_100);
    lint.runs = 0;
    for (let i = 0; i < 10; i++) {
      eventBus.fire('elements.changed', { elements: [] });
      await vi.advanceTimersByTimeAsync(LINT_PAUSE_MS / 2);
    }
    expect(lint.runs).toBe(0);
    await vi.advanceTimersByTimeAsync(LINT_PAUSE_MS + 2_100);
    expect(lint.runs).toBe(1);
  });

  it('flush lints a pending change at once and resolves once its findings are out', async () => {
    await vi.advanceTimersByTimeAsync(LINT_PAUSE_MS + 2_100);
    lint.runs = 0;
    eventBus.fire('elements.changed', { elements: [] });
    let completed = false;
    eventBus.on('linting.completed', () => (completed = true));
    await schedule.flush();
    expect(lint.runs).toBe(1);
    expect(completed).toBe(true);
    await vi.advanceTimersByTimeAsync(LINT_PAUSE_MS + 2_100);
    expect(lint.runs).toBe(1);
  });

  it('flush with nothing pending does not lint', async () => {
    await vi.advanceTimersByTimeAsync(LINT_PAUSE_MS + 2_100);
    lint.runs = 0;
    await schedule.flush();
    expect(lint.runs).toBe(0);
  });

  it('drops a pending lint when the diagram is destroyed', async () => {
    eventBus.fire('diagram.destroy');
    await vi.advanceTimersByTimeAsync(LINT_PAUSE_MS + 2_100);
    expect(lint.runs).toBe(0);
  });
});
