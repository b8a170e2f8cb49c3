/**
 * The BPMN modeler of the designer, loaded on demand (dynamic import) so
 * bpmn-js's modeling modules, the properties panel and bpmnlint stay out of
 * the first paint. The zeebe moddle, the zeebe properties provider and the
 * camunda-cloud behaviors make every `zeebe:*` extension the engine reads
 * editable (task definition, io mappings, headers, called element and
 * decision, form, assignment, subscription, multi-instance, timers, script);
 * a business rule task's decision and a user task's form link to their editors.
 */
import Modeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  ZeebePropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import ZeebeBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
import LintModule from 'bpmn-js-bpmnlint';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import { flattenLintResults, lintConfig, type LintIssue, type LintReport } from './lint';
import { LintScheduleModule, type LintSchedule } from './lintSchedule';
import { SequenceFlowLinksModule } from './sequenceFlows';
import { EditorLinksModule } from './links';
import type { StackTrigger } from '../savePoint';

/** A new diagram: one process with a blank start event, drawn with DI. */
export function emptyDiagram(processId: string, name: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_${processId}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Flowdesk" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
  <bpmn:process id="${processId}" name="${name.replace(/[<&"]/g, '')}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="Start" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${processId}">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="180" y="160" width="36" height="36" />
        <bpmndi:BPMNLabel><dc:Bounds x="182" y="203" width="33" height="14" /></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}

/** What the designer screen needs from the modeler. */
export interface BpmnEditor {
  importXML(xml: string): Promise<void>;
  /** Exports the diagram: for deploy, download and drafts, never per change (slow on large diagrams). */
  saveXML(): Promise<string>;
  /** The id of the diagram's (first) process, read from the model. */
  processId(): string;
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
  /** Selects an element and scrolls it into view (from the problems list). */
  reveal(elementId: string): void;
  fit(): void;
  zoom(factor: number): void;
  /** Called after every change of the diagram, with the command stack's trigger. */
  onChange(callback: (trigger: StackTrigger) => void): void;
  /** Called with the findings of every lint run (the first once the diagram has painted). */
  onLint(callback: (issues: LintIssue[]) => void): void;
  /** Lints now if changes have not been linted yet; resolves with the findings out. */
  flushLint(): Promise<void>;
  destroy(): void;
}

interface CommandStack {
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
}

interface Canvas {
  zoom(level?: number | 'fit-viewport', center?: 'auto'): number;
  scrollToElement(element: unknown): void;
}

/** Creates the modeler in `container` with its properties panel in `panel`. */
export function createEditor(container: HTMLElement, panel: HTMLElement): BpmnEditor {
  const modeler = new Modeler({
    container,
    propertiesPanel: { parent: panel },
    linting: { bpmnlint: lintConfig, active: true },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      ZeebePropertiesProviderModule,
      ZeebeBehaviorsModule,
      SequenceFlowLinksModule,
      LintModule,
      LintScheduleModule,
      EditorLinksModule,
    ],
    moddleExtensions: { zeebe: zeebeModdle },
    bpmnRenderer: {
      defaultFillColor: 'var(--diagram-fill)',
      defaultStrokeColor: 'var(--diagram-stroke)',
      defaultLabelColor: 'var(--diagram-label)',
    },
  });
  const get = <T>(name: string): T => modeler.get(name) as T;
  const commandStack = get<CommandStack>('commandStack');
  const canvas = get<Canvas>('canvas');
  const lintSchedule = get<LintSchedule>('lintSchedule');
  return {
    async importXML(xml) {
      await modeler.importXML(xml);
      canvas.zoom('fit-viewport', 'auto');
      if (canvas.zoom() > 1) canvas.zoom(1, 'auto');
    },
    async saveXML() {
      const { xml } = await modeler.saveXML({ format: true });
      return xml ?? '';
    },
    processId() {
      const definitions = modeler.getDefinitions() as { rootElements?: { $type: string; id?: string }[] } | undefined;
      return definitions?.rootElements?.find((element) => element.$type === 'bpmn:Process')?.id ?? '';
    },
    undo: () => commandStack.undo(),
    redo: () => commandStack.redo(),
    canUndo: () => commandStack.canUndo(),
    canRedo: () => commandStack.canRedo(),
    reveal(elementId) {
      const element = get<{ get(id: string): unknown }>('elementRegistry').get(elementId);
      if (!element) return;
      get<{ select(element: unknown): void }>('selection').select(element);
      canvas.scrollToElement(element);
    },
    fit: () => void canvas.zoom('fit-viewport', 'auto'),
    zoom: (factor) => void canvas.zoom(canvas.zoom() * factor, 'auto'),
    onChange(callback) {
      modeler.on('commandStack.changed', (event: { trigger: StackTrigger }) => callback(event.trigger));
    },
    onLint(callback) {
      modeler.on('linting.completed', (event: { issues: Record<string, LintReport[]> }) => {
        callback(flattenLintResults(event.issues));
      });
    },
    flushLint: () => lintSchedule.flush(),
    destroy: () => modeler.destroy(),
  };
}
