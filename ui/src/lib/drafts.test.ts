import { beforeEach, describe, expect, it } from 'vitest';
import {
  deleteScenario,
  loadDraft,
  loadScenarios,
  parseVariables,
  removeDraft,
  saveDraft,
  saveScenario,
} from './drafts';

describe('drafts', () => {
  beforeEach(() => localStorage.clear());

  it('round-trips a draft and removes it', () => {
    const draft = { fileName: 'order.bpmn', xml: '<x/>', baseDefinitionId: 'd1', savedAt: 5 };
    saveDraft(localStorage, 'd1', draft);
    expect(loadDraft(localStorage, 'd1')).toEqual(draft);
    expect(loadDraft(localStorage, 'other')).toBeNull();
    removeDraft(localStorage, 'd1');
    expect(loadDraft(localStorage, 'd1')).toBeNull();
  });

  it('ignores corrupt entries', () => {
    localStorage.setItem('flowdesk.draft.bad', '{not json');
    localStorage.setItem('flowdesk.draft.shape', '{"xml": 3}');
    expect(loadDraft(localStorage, 'bad')).toBeNull();
    expect(loadDraft(localStorage, 'shape')).toBeNull();
  });
});

describe('scenarios', () => {
  beforeEach(() => localStorage.clear());

  it('saves by name, replacing a scenario of the same name', () => {
    saveScenario(localStorage, 'order', { name: 'small', variables: '{"amount": 1}' });
    saveScenario(localStorage, 'order', { name: 'large', variables: '{"amount": 1000}' });
    const list = saveScenario(localStorage, 'order', { name: 'small', variables: '{"amount": 2}' });
    expect(list.map((s) => s.name)).toEqual(['large', 'small']);
    expect(loadScenarios(localStorage, 'order')[1].variables).toBe('{"amount": 2}');
    expect(loadScenarios(localStorage, 'other')).toEqual([]);
  });

  it('deletes by name', () => {
    saveScenario(localStorage, 'order', { name: 'a', variables: '{}' });
    saveScenario(localStorage, 'order', { name: 'b', variables: '{}' });
    expect(deleteScenario(localStorage, 'order', 'a').map((s) => s.name)).toEqual(['b']);
  });
});

describe('parseVariables', () => {
  it('accepts an empty text and JSON objects', () => {
    expect(parseVariables('  ')).toEqual({ ok: true, value: {} });
    expect(parseVariables('{"a": [1, 2]}')).toEqual({ ok: true, value: { a: [1, 2] } });
  });

  it('rejects invalid JSON and non-objects with a reason', () => {
    const broken = parseVariables('{"a": }');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/Not valid JSON/);
    const array = parseVariables('[1]');
    expect(!array.ok && array.error).toMatch(/JSON object/);
  });
});
