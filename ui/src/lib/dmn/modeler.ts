/**
 * The DMN editor of the designer (dmn-js: decision requirements diagram,
 * decision tables, literal expressions), loaded on demand (dynamic import)
 * so dmn-js stays out of the first paint. Each kind of view has its own
 * command stack, emptied whenever a view opens; undo and redo act on the
 * view that is open.
 */
import DmnModeler from 'dmn-js/lib/Modeler';
import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression-controls.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn.css';
import type { StackTrigger } from '../savePoint';

/** One view of the model: the diagram, or one decision's table or expression. */
export interface DmnView {
  /** `drd`, `decisionTable`, `literalExpression` or `boxedExpression`. */
  type: string;
  /** The element's id (the decision's, or the definitions' for the diagram). */
  id: string;
  /** What a tab shows: the element's name, else its id. */
  label: string;
  active: boolean;
}

/** What the DMN editor screen needs from dmn-js. */
export interface DmnEditor {
  importXML(xml: string): Promise<void>;
  saveXML(): Promise<string>;
  views(): DmnView[];
  /** Opens the view of the element with this id. */
  openView(id: string): Promise<void>;
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
  /**
   * Called after every change of the open view with its command stack's
   * trigger, and with `clear` when opening a view empties the undo history.
   */
  onChange(callback: (trigger: StackTrigger) => void): void;
  /** Called when the views change (a decision added, renamed or opened). */
  onViews(callback: () => void): void;
  destroy(): void;
}

interface ModdleElement {
  id?: string;
  name?: string;
}

interface View {
  type: string;
  element: ModdleElement;
}

interface CommandStack {
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
}

interface Viewer {
  get(name: string): unknown;
  on(event: string, callback: (event: never) => void): void;
}

interface DecisionTableModeling {
  editCell(cell: { text?: string }, text: string): void;
}

/**
 * A decision table cell edit that leaves the cell's text as it is changes
 * nothing, so it is not executed. dmn-js sends one right after an undo: the
 * undo (`commandStack.reverted`) closes the context menu, which refocuses
 * the last selected cell; the cell's FEEL editor opens, and the undone text
 * it is given comes back as typed input, whose command would empty the redo
 * stack.
 */
export class UnchangedCellEditGuard {
  static $inject = ['modeling'];

  constructor(modeling: DecisionTableModeling) {
    const editCell = modeling.editCell.bind(modeling);
    modeling.editCell = (cell, text) => {
      if (cell.text !== text) editCell(cell, text);
    };
  }
}

const UnchangedCellEditGuardModule = {
  __init__: ['unchangedCellEditGuard'],
  unchangedCellEditGuard: ['type', UnchangedCellEditGuard],
};

/** Creates the modeler in `container` (each view binds its keyboard when focused). */
export function createDmnEditor(container: HTMLElement): DmnEditor {
  const modeler = new DmnModeler({
    container,
    decisionTable: { additionalModules: [UnchangedCellEditGuardModule] },
  });
  const changeListeners: ((trigger: StackTrigger) => void)[] = [];
  const viewListeners: (() => void)[] = [];
  const changed = (trigger: StackTrigger) => changeListeners.forEach((callback) => callback(trigger));
  modeler.on('viewer.created', ({ viewer }: { viewer: Viewer }) => {
    viewer.on('commandStack.changed', (event: { trigger: StackTrigger }) => changed(event.trigger));
  });
  // Opening a view re-imports its viewer, which empties that viewer's stack.
  modeler.on('import.render.start', () => changed('clear'));
  modeler.on('views.changed', () => viewListeners.forEach((callback) => callback()));

  const commandStack = (): CommandStack | null => {
    const viewer = modeler.getActiveViewer() as Viewer | undefined;
    return viewer ? (viewer.get('commandStack') as CommandStack) : null;
  };

  return {
    async importXML(xml) {
      await modeler.importXML(xml);
    },
    async saveXML() {
      const { xml } = await modeler.saveXML({ format: true });
      return xml ?? '';
    },
    views() {
      const active = modeler.getActiveView() as View | undefined;
      return (modeler.getViews() as View[]).map((view) => ({
        type: view.type,
        id: view.element.id ?? '',
        label: view.type === 'drd' ? 'Diagram' : view.element.name || view.element.id || view.type,
        active: view === active,
      }));
    },
    async openView(id) {
      const view = (modeler.getViews() as View[]).find((candidate) => candidate.element.id === id);
      if (view) await modeler.open(view);
    },
    undo: () => commandStack()?.undo(),
    redo: () => commandStack()?.redo(),
    canUndo: () => commandStack()?.canUndo() ?? false,
    canRedo: () => commandStack()?.canRedo() ?? false,
    onChange(callback) {
      changeListeners.push(callback);
    },
    onViews(callback) {
      viewListeners.push(callback);
    },
    destroy: () => modeler.destroy(),
  };
}
