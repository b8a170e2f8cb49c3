/**
 * Whether an editor's model differs from its saved copy (the one opened from
 * the server or last deployed), followed through the editor's command stack
 * instead of exporting and comparing the whole model after every change:
 * exporting a 10,000-element BPMN diagram takes the better part of a second.
 *
 * bpmn-js, dmn-js and form-js share diagram-js's command stack, which fires
 * `commandStack.changed` once per user action with the trigger `execute`,
 * `undo`, `redo` or `clear`; importing a model clears the stack silently.
 */

/** The `trigger` of a `commandStack.changed` event. */
export type StackTrigger = 'execute' | 'undo' | 'redo' | 'clear' | null | undefined;

/** A state of the model taken before a deploy, saved once the deploy succeeds. */
export interface Checkpoint {
  readonly position: number;
  /** False once edits can no longer return to it. */
  reachable: boolean;
}

export class SavePoint {
  /** Actions done on the stack since it was last cleared. */
  private position = 0;
  /** The position of the saved copy; null once no undo or redo can reach it. */
  private saved: number | null = 0;
  private checkpoints = new Set<Checkpoint>();

  /** Follows one `commandStack.changed` event. */
  follow(trigger: StackTrigger): void {
    switch (trigger) {
      case 'execute':
        // A new action drops the redo entries: a save point among them is gone.
        if (this.saved !== null && this.saved > this.position) this.saved = null;
        for (const checkpoint of this.checkpoints) {
          if (checkpoint.position > this.position) checkpoint.reachable = false;
        }
        this.position += 1;
        break;
      case 'undo':
        this.position -= 1;
        break;
      case 'redo':
        this.position += 1;
        break;
      case 'clear':
        this.cleared();
        break;
      default:
        break;
    }
  }

  /** The model as it is now, to be marked saved when its deploy succeeds. */
  checkpoint(): Checkpoint {
    const checkpoint = { position: this.position, reachable: true };
    this.checkpoints.add(checkpoint);
    return checkpoint;
  }

  /**
   * The model as it was at `checkpoint` (edits may have followed during the
   * deploy), or as it is now, is the saved copy.
   */
  markSaved(checkpoint?: Checkpoint): void {
    if (checkpoint) {
      this.checkpoints.delete(checkpoint);
      this.saved = checkpoint.reachable ? checkpoint.position : null;
    } else {
      this.saved = this.position;
    }
  }

  /**
   * A model imported into the editor (its stack starts empty): `saved` says
   * whether it is the saved copy (the server's) or not (a restored draft).
   */
  imported(saved: boolean): void {
    for (const checkpoint of this.checkpoints) checkpoint.reachable = false;
    this.checkpoints.clear();
    this.position = 0;
    this.saved = saved ? 0 : null;
  }

  /**
   * The stack was emptied with the model kept (dmn-js re-opening a view):
   * changes made so far stay unsaved, with no way back to the saved copy.
   */
  cleared(): void {
    this.imported(!this.dirty);
  }

  /** The model differs from the saved copy. */
  get dirty(): boolean {
    return this.saved !== this.position;
  }
}
