/**
 * The read-only BPMN viewer, loaded on demand (dynamic import) so bpmn-js and
 * its CSS stay out of the main bundle. Only NavigatedViewer (pan + zoom) is
 * imported, never the modeler.
 */
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';

/** The parts of diagram-js's services this app uses. */
export interface DiagramElement {
  id: string;
  type: string;
  waypoints?: unknown;
  width?: number;
  height?: number;
}

export interface Canvas {
  zoom(level?: number | 'fit-viewport', center?: 'auto' | { x: number; y: number }): number;
  resized(): void;
  addMarker(element: string | DiagramElement, marker: string): void;
  removeMarker(element: string | DiagramElement, marker: string): void;
  getRootElement(): DiagramElement;
}

export interface Overlays {
  add(element: string | DiagramElement, type: string, overlay: { position: Record<string, number>; html: HTMLElement | string }): string;
  remove(filter: { type?: string; element?: string | DiagramElement }): void;
}

export interface ElementRegistry {
  get(id: string): DiagramElement | undefined;
  getAll(): DiagramElement[];
}

export interface Viewer {
  importXML(xml: string): Promise<{ warnings: unknown[] }>;
  destroy(): void;
  canvas: Canvas;
  overlays: Overlays;
  registry: ElementRegistry;
  on(event: string, callback: (event: { element: DiagramElement }) => void): void;
}

/**
 * Creates a viewer in `container`. Shapes are drawn with the theme tokens
 * (CSS custom properties), so switching light/dark needs no re-render.
 */
export function createViewer(container: HTMLElement): Viewer {
  const viewer = new NavigatedViewer({
    container,
    bpmnRenderer: {
      defaultFillColor: 'var(--diagram-fill)',
      defaultStrokeColor: 'var(--diagram-stroke)',
      defaultLabelColor: 'var(--diagram-label)',
    },
  });
  return {
    importXML: (xml) => viewer.importXML(xml),
    destroy: () => viewer.destroy(),
    canvas: viewer.get<Canvas>('canvas'),
    overlays: viewer.get<Overlays>('overlays'),
    registry: viewer.get<ElementRegistry>('elementRegistry'),
    on: (event, callback) => viewer.on(event, callback as never),
  };
}
