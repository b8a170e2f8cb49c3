/**
 * The DMN editor of the designer (dmn-js: decision requirements diagram,
 * decision tables, literal expressions), loaded on demand (dynamic import)
 * so dmn-js stays out of the first paint. Each view has its own command
 * stack; undo and redo act on the view that is open.
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
  /** Called after every change of any view, and when the views change. */
  onChange(callback: () => void): void;
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
  on(event: string, callback: () => void): void;
}

/** Creates the modeler in `container`. */
export function createDmnEditor(container: HTMLElement): DmnEditor {
  const modeler = new DmnModeler({
    container,
    common: { keyboard: { bindTo: container } },
  });
  const listeners: (() => void)[] = [];
  const changed = () => listeners.forEach((callback) => callback());
  modeler.on('viewer.created', ({ viewer }: { viewer: Viewer }) => {
    viewer.on('commandStack.changed', changed);
  });
  modeler.on('views.changed', changed);

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
      listeners.push(callback);
    },
    destroy: () => modeler.destroy(),
  };
}
