/**
 * When the designer lints. bpmn-js-bpmnlint lints the whole diagram and
 * redraws every problem overlay on import and after every change
 * (`elements.changed`), in the same task as the change: on a 10,000-element
 * diagram that is a long pause after opening and after each edit. This
 * module makes its `update` lazy: every lint waits until the diagram has
 * painted and the browser is idle; on a large diagram, later ones also wait
 * until edits pause for `LINT_PAUSE_MS`. `flush` lints at once (before a
 * deploy).
 */

/** From this many diagram elements on, lints wait for edits to pause. */
export const LARGE_DIAGRAM = 1000;

/**
 * How long edits on a large diagram must pause before it is linted again:
 * long enough that the frames showing an edit (half a second to draw at
 * 10,000 elements) come before the lint (a third of a second).
 */
export const LINT_PAUSE_MS = 1000;

/** How long an idle callback may be put off while the page stays busy. */
const IDLE_TIMEOUT_MS = 2000;

interface Linting {
  update(): void;
}

interface EventBus {
  on(event: string, callback: (event: unknown) => void): void;
}

interface ElementRegistry {
  getAll(): unknown[];
}

type Cancel = () => void;

/** Runs `callback` when the browser is idle (WebKitGTK has no `requestIdleCallback`: then after a frame). */
function whenIdle(callback: () => void): Cancel {
  if (typeof window.requestIdleCallback === 'function') {
    const handle = window.requestIdleCallback(callback, { timeout: IDLE_TIMEOUT_MS });
    return () => window.cancelIdleCallback(handle);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => (timer = setTimeout(callback, 0)));
  return () => {
    cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
  };
}

export class LintSchedule {
  static $inject = ['linting', 'eventBus', 'elementRegistry'];

  private readonly lintNow: () => void;
  private cancel: Cancel | null = null;
  private waiting: (() => void)[] = [];
  /** Whether the open diagram is large, as of its import. */
  private large = false;

  constructor(linting: Linting, eventBus: EventBus, elementRegistry: ElementRegistry) {
    this.lintNow = linting.update.bind(linting);
    // Before bpmn-js-bpmnlint's own (low priority) import.done listener.
    eventBus.on('import.done', () => {
      this.large = elementRegistry.getAll().length >= LARGE_DIAGRAM;
    });
    // bpmn-js-bpmnlint calls `this.update()` from its event listeners.
    linting.update = () => this.schedule();
    eventBus.on('linting.completed', () => {
      const waiting = this.waiting;
      this.waiting = [];
      waiting.forEach((resolve) => resolve());
    });
    eventBus.on('diagram.destroy', () => this.stop());
  }

  /** A lint is due: once the browser is idle (on a large diagram, after the pause). */
  schedule(): void {
    this.stop();
    if (!this.large) {
      this.cancel = whenIdle(() => this.run());
      return;
    }
    const timer = setTimeout(() => {
      this.cancel = whenIdle(() => this.run());
    }, LINT_PAUSE_MS);
    this.cancel = () => clearTimeout(timer);
  }

  /** Whether a lint is due and has not run yet. */
  get pending(): boolean {
    return this.cancel !== null;
  }

  /** Lints now if a lint is due; resolves once its findings are out (`linting.completed`). */
  flush(): Promise<void> {
    if (!this.pending) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiting.push(resolve));
    this.run();
    return done;
  }

  private run(): void {
    this.stop();
    this.lintNow();
  }

  private stop(): void {
    this.cancel?.();
    this.cancel = null;
  }
}

/** The didi module: load it after bpmn-js-bpmnlint's. */
export const LintScheduleModule = {
  __init__: ['lintSchedule'],
  lintSchedule: ['type', LintSchedule],
};
