import { describe, expect, it } from 'vitest';
import type { DecisionDefinition, Definition } from './api';
import {
  decisionHref,
  emptyDmn,
  emptyForm,
  findDecisionModel,
  formHref,
  isStaticId,
  latestForm,
  parseFormSchema,
  withExtension,
} from './resources';
import { parseHash, subPath } from './router';

function definition(overrides: Partial<Definition>): Definition {
  return {
    id: 'id',
    process_id: 'key',
    name: null,
    version: 1,
    resource_name: 'file',
    kind: 'bpmn',
    deployed_at: '2026-01-01T00:00:00Z',
    deployed_by: 'admin',
    ...overrides,
  };
}

describe('new documents', () => {
  it('a new DMN model has the decision, a table and its shape, with the name escaped', () => {
    const document = new DOMParser().parseFromString(emptyDmn('risk', 'Risk & "class"'), 'application/xml');
    const elements = (name: string) => Array.from(document.getElementsByTagName('*')).filter((e) => e.localName === name);
    expect(elements('parsererror')).toHaveLength(0);
    expect(elements('decision').map((d) => [d.getAttribute('id'), d.getAttribute('name')])).toEqual([['risk', 'Risk & "class"']]);
    expect(elements('decisionTable')).toHaveLength(1);
    expect(elements('DMNShape')[0].getAttribute('dmnElementRef')).toBe('risk');
  });

  it('a new form is a valid schema with the id user tasks link', () => {
    const parsed = parseFormSchema(JSON.stringify(emptyForm('approve')));
    expect(parsed.ok && parsed.schema.id).toBe('approve');
  });
});

describe('parseFormSchema', () => {
  it('names what is missing', () => {
    expect(parseFormSchema('{')).toMatchObject({ ok: false, error: expect.stringContaining('not JSON') });
    expect(parseFormSchema('[]')).toMatchObject({ ok: false, error: expect.stringContaining('not a JSON object') });
    expect(parseFormSchema('{"components":[]}')).toMatchObject({ ok: false, error: expect.stringContaining('no id') });
    expect(parseFormSchema('{"id":"a"}')).toMatchObject({ ok: false, error: expect.stringContaining('components') });
  });
});

describe('links from BPMN elements', () => {
  it('follows static ids only', () => {
    expect(isStaticId('credit-score')).toBe(true);
    expect(isStaticId('= decisionName')).toBe(false);
    expect(isStaticId('  ')).toBe(false);
    expect(isStaticId(undefined)).toBe(false);
  });

  it('the editor routes carry the id through the router', () => {
    const decision = parseHash(decisionHref('risk level'));
    expect(decision.name).toBe('designer');
    expect(subPath(decision)).toEqual(['dmn']);
    expect(decision.params.decision).toBe('risk level');
    const form = parseHash(formHref('approve'));
    expect(subPath(form)).toEqual(['form']);
    expect(form.params.form).toBe('approve');
  });

  it('finds the newest model that has a decision, also when it is not the first one', () => {
    const model = (id: string, version: number, at: string, decisions: string[]): DecisionDefinition => ({
      ...definition({ id, version, kind: 'dmn', deployed_at: at, process_id: decisions[0] }),
      decisions: decisions.map((d) => ({ id: d, name: d })),
    });
    const models = [
      model('a1', 1, '2026-01-01T00:00:00Z', ['level', 'score']),
      model('a2', 2, '2026-01-02T00:00:00Z', ['level', 'score']),
      model('b1', 1, '2026-01-03T00:00:00Z', ['other']),
    ];
    expect(findDecisionModel(models, 'score')?.id).toBe('a2');
    expect(findDecisionModel(models, 'missing')).toBeUndefined();
  });

  it('finds the newest version of a form, not a process with the same id', () => {
    const all = [
      definition({ id: 'p', process_id: 'approve', kind: 'bpmn', version: 9 }),
      definition({ id: 'f1', process_id: 'approve', kind: 'form', version: 1 }),
      definition({ id: 'f2', process_id: 'approve', kind: 'form', version: 2 }),
    ];
    expect(latestForm(all, 'approve')?.id).toBe('f2');
    expect(latestForm(all, 'other')).toBeUndefined();
  });
});

describe('withExtension', () => {
  it('adds the extension once', () => {
    expect(withExtension('credit', '.dmn')).toBe('credit.dmn');
    expect(withExtension(' credit.dmn ', '.dmn')).toBe('credit.dmn');
    expect(withExtension('', '.form')).toBe('untitled.form');
  });
});
