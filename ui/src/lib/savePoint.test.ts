import { beforeEach, describe, expect, it } from 'vitest';
import EventBus from 'diagram-js/lib/core/EventBus';
import CommandStack from 'diagram-js/lib/command/CommandStack';
import { SavePoint, type StackTrigger } from './savePoint';

/** diagram-js's own command stack with one command that sets a value, followed by a save point. */
function editor() {
  const eventBus = new EventBus();
  const stack = new CommandStack(eventBus, null as never);
  const model = { value: 'saved' };
  stack.register('set', {
    execute(context: { value: string; old?: string }) {
      context.old = model.value;
      model.value = context.value;
      return [];
    },
    revert(context: { value: string; old?: string }) {
      model.value = context.old ?? '';
      return [];
    },
  });
  const savePoint = new SavePoint();
  eventBus.on('commandStack.changed', (event: { trigger: StackTrigger }) => savePoint.follow(event.trigger));
  return { eventBus, stack, model, savePoint, set: (value: string) => stack.execute('set', { value }) };
}

describe('SavePoint', () => {
  let e: ReturnType<typeof editor>;
  beforeEach(() => {
    e = editor();
  });

  it('is clean until an edit, and clean again when undo returns to the saved copy', () => {
    expect(e.savePoint.dirty).toBe(false);
    e.set('a');
    e.set('b');
    expect(e.savePoint.dirty).toBe(true);
    e.stack.undo();
    expect(e.savePoint.dirty).toBe(true);
    e.stack.undo();
    expect(e.model.value).toBe('saved');
    expect(e.savePoint.dirty).toBe(false);
    e.stack.redo();
    expect(e.model.value).toBe('a');
    expect(e.savePoint.dirty).toBe(true);
  });

  it('moves with a deploy: undo past it is a change again', () => {
    e.set('a');
    e.savePoint.markSaved();
    expect(e.savePoint.dirty).toBe(false);
    e.stack.undo();
    expect(e.savePoint.dirty).toBe(true);
    e.stack.redo();
    expect(e.savePoint.dirty).toBe(false);
  });

  it('stays dirty for good when a new edit drops the redo entries holding the saved copy', () => {
    e.set('a');
    e.savePoint.markSaved();
    e.stack.undo();
    e.set('b');
    expect(e.savePoint.dirty).toBe(true);
    e.stack.undo();
    expect(e.model.value).toBe('saved');
    expect(e.savePoint.dirty).toBe(true);
  });

  it('keeps unsaved changes unsaved when the history is cleared, and a clean model clean', () => {
    e.stack.clear();
    expect(e.savePoint.dirty).toBe(false);
    e.set('a');
    e.stack.clear();
    expect(e.stack.canUndo()).toBe(false);
    expect(e.savePoint.dirty).toBe(true);
    e.set('b');
    e.stack.undo();
    expect(e.savePoint.dirty).toBe(true);
  });

  it('follows an import: the server copy is saved, a restored draft is not', () => {
    e.set('a');
    e.eventBus.fire('diagram.clear');
    e.savePoint.imported(true);
    expect(e.savePoint.dirty).toBe(false);
    e.set('b');
    e.eventBus.fire('diagram.clear');
    e.savePoint.imported(false);
    expect(e.savePoint.dirty).toBe(true);
  });
});

describe('SavePoint checkpoints', () => {
  it('saves the state a deploy sent, not the edits made while it ran', () => {
    const e = editor();
    e.set('a');
    const sent = e.savePoint.checkpoint();
    e.set('b');
    e.savePoint.markSaved(sent);
    expect(e.savePoint.dirty).toBe(true);
    e.stack.undo();
    expect(e.model.value).toBe('a');
    expect(e.savePoint.dirty).toBe(false);
  });

  it('gives up a checkpoint that undo and a new edit made unreachable', () => {
    const e = editor();
    e.set('a');
    const sent = e.savePoint.checkpoint();
    e.stack.undo();
    e.set('b');
    e.savePoint.markSaved(sent);
    expect(e.savePoint.dirty).toBe(true);
    e.stack.undo();
    expect(e.savePoint.dirty).toBe(true);
  });
});
