/**
 * The form editor of the designer (form-js editor: palette, form canvas and
 * properties panel), loaded on demand (dynamic import) so it stays out of
 * the first paint.
 */
import { FormEditor } from '@bpmn-io/form-js-editor';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js-editor/dist/assets/properties-panel.css';
import type { FormSchema } from '../resources';
import type { StackTrigger } from '../savePoint';

/** What the form editor screen needs from form-js. */
export interface FormSchemaEditor {
  importSchema(schema: FormSchema): Promise<void>;
  /** The schema as edited, with its exporter. */
  saveSchema(): FormSchema;
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
  /** Called after every change of the form, with the command stack's trigger. */
  onChange(callback: (trigger: StackTrigger) => void): void;
  destroy(): void;
}

interface CommandStack {
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
}

/** Creates the form editor in `container`. */
export function createFormEditor(container: HTMLElement): FormSchemaEditor {
  const editor = new FormEditor({ container, exporter: { name: 'Flowdesk', version: '0.1.0' } });
  const commandStack = editor.get<CommandStack>('commandStack');
  return {
    async importSchema(schema) {
      await editor.importSchema(schema);
    },
    saveSchema: () => editor.saveSchema() as FormSchema,
    undo: () => commandStack.undo(),
    redo: () => commandStack.redo(),
    canUndo: () => commandStack.canUndo(),
    canRedo: () => commandStack.canRedo(),
    onChange(callback) {
      // Not form-js's `changed`: it fires inside a command, before the stack counts it.
      editor.on('commandStack.changed', (event: { trigger: StackTrigger }) => callback(event.trigger));
    },
    destroy: () => editor.destroy(),
  };
}
