import { describe, expect, it } from 'vitest';
import { editorLink, EditorLinkProvider } from './links';

function shape(type: string, extensions: { $type: string; values: Record<string, unknown> }[]) {
  const moddle = (t: string, values: Record<string, unknown>) => ({ $type: t, get: (name: string) => values[name] });
  return {
    businessObject: {
      ...moddle(type, {}),
      extensionElements: { values: extensions.map((e) => moddle(e.$type, e.values)) },
    },
  };
}

describe('editorLink', () => {
  it('links a business rule task to the DMN editor for its decision', () => {
    const task = shape('bpmn:BusinessRuleTask', [{ $type: 'zeebe:CalledDecision', values: { decisionId: 'risk' } }]);
    expect(editorLink(task)).toEqual({ kind: 'decision', id: 'risk', href: '#/designer/dmn?decision=risk' });
  });

  it('links a user task to the form editor for its linked form', () => {
    const task = shape('bpmn:UserTask', [{ $type: 'zeebe:FormDefinition', values: { formId: 'approve' } }]);
    expect(editorLink(task)).toEqual({ kind: 'form', id: 'approve', href: '#/designer/form?form=approve' });
  });

  it('has no link for an expression, an embedded form or another element', () => {
    const expression = shape('bpmn:BusinessRuleTask', [{ $type: 'zeebe:CalledDecision', values: { decisionId: '=name' } }]);
    const embedded = shape('bpmn:UserTask', [{ $type: 'zeebe:FormDefinition', values: { formKey: 'camunda-forms:bpmn:f' } }]);
    const service = shape('bpmn:ServiceTask', [{ $type: 'zeebe:CalledDecision', values: { decisionId: 'risk' } }]);
    expect(editorLink(expression)).toBeNull();
    expect(editorLink(embedded)).toBeNull();
    expect(editorLink(service)).toBeNull();
  });
});

describe('EditorLinkProvider', () => {
  it('adds the link entry right after the decision id and the form id, and nowhere else', () => {
    let registered: { priority: number; provider: unknown } | null = null;
    const provider = new EditorLinkProvider({ registerProvider: (priority, p) => (registered = { priority, provider: p }) });
    expect(registered).toEqual({ priority: 400, provider });
    const groups = provider.getGroups()([
      { id: 'calledDecision', entries: [{ id: 'decisionId', component: null }, { id: 'resultVariable', component: null }] },
      { id: 'form', entries: [{ id: 'formType', component: null }, { id: 'formId', component: null }] },
      { id: 'general', entries: [{ id: 'name', component: null }] },
    ]);
    expect(groups.map((g) => g.entries?.map((e) => e.id))).toEqual([
      ['decisionId', 'openDmnEditor', 'resultVariable'],
      ['formType', 'formId', 'openFormEditor'],
      ['name'],
    ]);
  });
});
