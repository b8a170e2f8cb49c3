import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from './api';
import { dueState, embeddedFormSchema, linkedFormId, priorityLabel, taskModel } from './tasks';

const FORM = { type: 'default', components: [{ type: 'textfield', key: 'comment', label: 'Comment' }] };

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="review" isExecutable="true">
    <bpmn:extensionElements>
      <zeebe:userTaskForm id="approve_form">${JSON.stringify(FORM).replace(/</g, '&lt;')}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:userTask id="approve" name="Approve order">
      <bpmn:documentation>Check the amount.</bpmn:documentation>
      <bpmn:extensionElements>
        <zeebe:formDefinition formKey="camunda-forms:bpmn:approve_form" />
        <zeebe:taskSchedule dueDate="2026-01-02T10:00:00Z" />
        <zeebe:priorityDefinition priority="80" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="plain" />
  </bpmn:process>
</bpmn:definitions>`;

describe('taskModel', () => {
  it('reads name, schedule, priority and documentation', () => {
    expect(taskModel(XML, 'approve')).toEqual({
      name: 'Approve order',
      dueDate: '2026-01-02T10:00:00Z',
      followUpDate: null,
      priority: 80,
      documentation: 'Check the amount.',
    });
  });

  it('falls back to the element id', () => {
    expect(taskModel(XML, 'plain')).toMatchObject({ name: 'plain', dueDate: null, priority: null });
    expect(taskModel('not xml', 'x').name).toBe('x');
  });
});

describe('forms', () => {
  it('finds the embedded form schema by its key', () => {
    expect(embeddedFormSchema(XML, 'camunda-forms:bpmn:approve_form')).toEqual(FORM);
    expect(embeddedFormSchema(XML, 'camunda-forms:bpmn:missing')).toBeNull();
    expect(embeddedFormSchema(XML, 'linked-form')).toBeNull();
    expect(embeddedFormSchema(XML, null)).toBeNull();
  });

  it('tells linked form ids from embedded keys', () => {
    expect(linkedFormId('invoice-form')).toBe('invoice-form');
    expect(linkedFormId('camunda-forms:bpmn:approve_form')).toBeNull();
  });
});

describe('due dates and priorities', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  it('classifies due dates', () => {
    expect(dueState('2026-03-09T12:00:00Z', now)).toBe('overdue');
    expect(dueState('2026-04-01T12:00:00Z', now)).toBe('later');
    expect(dueState('=now() + duration("P1D")', now)).toBe('expression');
  });

  it('names priorities', () => {
    expect([10, 40, 60, 90].map(priorityLabel)).toEqual(['Low', 'Medium', 'High', 'Critical']);
  });
});

describe('tasklist API', () => {
  afterEach(() => vi.unstubAllGlobals());

  function stub(body: unknown) {
    const fn = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify(body)));
    vi.stubGlobal('fetch', fn);
    return fn;
  }

  it('lists tasks with the filters as query parameters', async () => {
    const fetch = stub([]);
    await api.listTasks({ assignee: 'me', candidateGroup: 'sales', unassigned: false });
    expect(String(fetch.mock.calls[0][0])).toBe('/api/tasks?assignee=me&candidateGroup=sales');
    await api.listTasks({ unassigned: true });
    expect(String(fetch.mock.calls[1][0])).toBe('/api/tasks?unassigned=true');
  });

  it('claims, releases and completes with variables', async () => {
    const fetch = stub({ outcome: 'applied' });
    await api.claimTask(7);
    await api.unclaimTask(7);
    await api.completeTask(7, { approved: true });
    expect(fetch.mock.calls.map((c) => [c[1]?.method, String(c[0])])).toEqual([
      ['POST', '/api/tasks/7/claim'],
      ['POST', '/api/tasks/7/unclaim'],
      ['POST', '/api/tasks/7/complete'],
    ]);
    expect(JSON.parse(String(fetch.mock.calls[2][1]?.body))).toEqual({ variables: { approved: true } });
  });
});

describe('instance variables API', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('puts the changed variables of an instance', async () => {
    const fetch = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response('{}'));
    vi.stubGlobal('fetch', fetch);
    await api.setInstanceVariables('i-1', { amount: 5 });
    expect(fetch.mock.calls[0][1]?.method).toBe('PUT');
    expect(String(fetch.mock.calls[0][0])).toBe('/api/instances/i-1/variables');
    expect(JSON.parse(String(fetch.mock.calls[0][1]?.body))).toEqual({ variables: { amount: 5 } });
  });
});
