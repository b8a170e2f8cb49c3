/**
 * What the three model editors (BPMN, DMN, form) show in their shared
 * toolbar: file name, unsaved-changes marker, undo/redo availability, the
 * deployed version and a deploy in progress. The editors feed it their
 * command stack's changes; nothing here exports or compares the model.
 */
import { SavePoint, type Checkpoint, type StackTrigger } from './savePoint';

/** The undo side of an editor adapter (bpmn-js, dmn-js, form-js). */
export interface UndoableEditor {
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
}

export class EditorState {
  fileName = $state('');
  /** The model differs from the copy opened from the server or last deployed. */
  dirty = $state(false);
  canUndo = $state(false);
  canRedo = $state(false);
  deploying = $state(false);
  /** The deployed version's badge text, `{key} v{version}`, or null. */
  deployed = $state<string | null>(null);
  private readonly savePoint = new SavePoint();
  private editor: UndoableEditor | null = null;

  constructor(fileName: string) {
    this.fileName = fileName;
  }

  /** Starts following `editor` (its model just imported; `saved`: the server's copy). */
  attach(editor: UndoableEditor, saved: boolean): void {
    this.editor = editor;
    this.imported(saved);
  }

  /** Follows one command stack change of the attached editor. */
  changed(trigger: StackTrigger): void {
    this.savePoint.follow(trigger);
    this.update();
  }

  /** A model was imported into the attached editor (see {@link SavePoint.imported}). */
  imported(saved: boolean): void {
    this.savePoint.imported(saved);
    this.update();
  }

  /** The model as it is now, to pass to {@link saved} once its deploy succeeds. */
  checkpoint(): Checkpoint {
    return this.savePoint.checkpoint();
  }

  /** The model at `checkpoint` was deployed as `badge` (`{key} v{version}`). */
  saved(badge: string, checkpoint: Checkpoint): void {
    this.savePoint.markSaved(checkpoint);
    this.deployed = badge;
    this.update();
  }

  undo(): void {
    this.editor?.undo();
  }

  redo(): void {
    this.editor?.redo();
  }

  /** Runs a deploy with the toolbar's progress shown; one at a time. */
  async deploy<T>(action: () => Promise<T>): Promise<T | null> {
    if (this.deploying) return null;
    this.deploying = true;
    try {
      return await action();
    } finally {
      this.deploying = false;
    }
  }

  private update(): void {
    this.dirty = this.savePoint.dirty;
    this.canUndo = this.editor?.canUndo() ?? false;
    this.canRedo = this.editor?.canRedo() ?? false;
  }
}
