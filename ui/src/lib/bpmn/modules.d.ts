// Packages of the bpmn.io stack that ship no type declarations.

declare module 'bpmnlint-utils' {
  export function is(node: unknown, type: string): boolean;
  export function isAny(node: unknown, types: string[]): boolean;
}

declare module 'bpmnlint/rules/*' {
  const factory: (config?: unknown) => { check: unknown };
  export default factory;
}

declare module 'bpmnlint' {
  export class Linter {
    constructor(options: { config: unknown; resolver: unknown });
    lint(definitions: unknown): Promise<Record<string, { id?: string; message: string; category?: string }[]>>;
  }
}

declare module 'bpmn-js-bpmnlint' {
  const module: import('didi').ModuleDeclaration;
  export default module;
}

declare module 'bpmn-js-properties-panel' {
  export const BpmnPropertiesPanelModule: import('didi').ModuleDeclaration;
  export const BpmnPropertiesProviderModule: import('didi').ModuleDeclaration;
  export const ZeebePropertiesProviderModule: import('didi').ModuleDeclaration;
}

declare module 'camunda-bpmn-js-behaviors/lib/camunda-cloud' {
  const module: import('didi').ModuleDeclaration;
  export default module;
}

declare module 'bpmn-js-differ' {
  export interface DiffResult {
    _added: Record<string, unknown>;
    _removed: Record<string, unknown>;
    _changed: Record<string, { model: unknown; attrs: Record<string, { oldValue: unknown; newValue: unknown }> }>;
    _layoutChanged: Record<string, unknown>;
  }
  export function diff(a: unknown, b: unknown): DiffResult;
}

declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
    fromXML(xml: string): Promise<{ rootElement: unknown; elementsById: Record<string, unknown>; warnings: unknown[] }>;
  }
}

declare module 'dmn-js/lib/Modeler' {
  export default class DmnModeler {
    constructor(options: { container: HTMLElement; common?: Record<string, unknown>; decisionTable?: { additionalModules?: unknown[] } });
    importXML(xml: string): Promise<{ warnings: unknown[] }>;
    saveXML(options?: { format?: boolean }): Promise<{ xml?: string }>;
    getViews(): unknown[];
    getActiveView(): unknown;
    getActiveViewer(): unknown;
    open(view: unknown): Promise<unknown>;
    on(event: string, callback: (event: never) => void): void;
    destroy(): void;
  }
}
