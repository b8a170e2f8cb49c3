import { describe, expect, it } from 'vitest';
import type { HistoryEvent, Incident } from './api';
import {
  elementNames,
  elementStats,
  filterProblem,
  instanceListQuery,
  type InstanceFilters,
  eventLabel,
  eventTone,
  formatValue,
  valueType,
  variableEntries,
} from './instanceView';

let seq = 0;
function ev(kind: string, element_id: string | null, key?: number): HistoryEvent {
  seq++;
  return {
    seq,
    at: `2026-01-01T00:00:${String(seq).padStart(2, '0')}Z`,
    kind,
    element_id,
    detail: key === undefined ? {} : { type: 'element', element_instance_key: key },
  };
}

function incident(element_id: string, state: 'open' | 'resolved' = 'open'): Incident {
  return {
    key: 1,
    instance_id: 'i',
    element_id,
    job_key: null,
    kind: 'jobNoRetries',
    message: 'boom',
    state,
    created_at: '2026-01-01T00:00:00Z',
    resolved_at: null,
  };
}

describe('elementStats', () => {
  const history = [
    ev('elementActivated', 'Process', 1),
    ev('elementActivated', 'Start', 2),
    ev('elementCompleted', 'Start', 2),
    ev('elementActivated', 'Task', 3),
    ev('jobCreated', 'Task'),
  ];

  it('counts completed and still active element instances', () => {
    const stats = elementStats(history, [], 'active');
    expect(stats.get('Start')).toEqual({ active: 0, completed: 1, terminated: 0, incidents: 0 });
    expect(stats.get('Task')).toEqual({ active: 1, completed: 0, terminated: 0, incidents: 0 });
    expect(stats.get('Process')?.active).toBe(1);
  });

  it('counts loops and parallel tokens per element', () => {
    const stats = elementStats(
      [
        ev('elementActivated', 'Task', 10),
        ev('elementCompleted', 'Task', 10),
        ev('elementActivated', 'Task', 11),
        ev('elementActivated', 'Task', 12),
        ev('elementTerminated', 'Task', 11),
      ],
      [],
      'active',
    );
    expect(stats.get('Task')).toEqual({ active: 1, completed: 1, terminated: 1, incidents: 0 });
  });

  it('falls back to counting when events carry no element instance key', () => {
    const stats = elementStats([ev('elementActivated', 'A'), ev('elementActivated', 'A'), ev('elementCompleted', 'A')]);
    expect(stats.get('A')).toMatchObject({ active: 1, completed: 1 });
  });

  it('shows no active tokens once the instance has ended', () => {
    expect(elementStats(history, [], 'cancelled').get('Task')?.active).toBe(0);
    expect(elementStats(history, [], 'completed').get('Task')?.active).toBe(0);
    expect(elementStats(history, [], 'incident').get('Task')?.active).toBe(1);
  });

  it('marks open incidents only', () => {
    const stats = elementStats(history, [incident('Task'), incident('Task', 'resolved'), incident('Other')], 'incident');
    expect(stats.get('Task')?.incidents).toBe(1);
    expect(stats.get('Other')).toEqual({ active: 0, completed: 0, terminated: 0, incidents: 1 });
  });

  it('ignores events without an element', () => {
    expect(elementStats([ev('variablesChanged', null)]).size).toBe(0);
  });
});

describe('timeline helpers', () => {
  it('labels camelCase kinds', () => {
    expect(eventLabel('elementActivated')).toBe('Element activated');
    expect(eventLabel('incidentRaised')).toBe('Incident raised');
    expect(eventLabel('job_created')).toBe('Job created');
    expect(eventLabel('')).toBe('');
  });

  it('gives each kind a tone', () => {
    expect(eventTone('elementActivated')).toBe('active');
    expect(eventTone('elementCompleted')).toBe('completed');
    expect(eventTone('elementTerminated')).toBe('terminated');
    expect(eventTone('incidentRaised')).toBe('incident');
    expect(eventTone('jobCreated')).toBe('neutral');
  });
});

describe('variables', () => {
  it('formats values', () => {
    expect(formatValue('text')).toBe('text');
    expect(formatValue(42)).toBe('42');
    expect(formatValue({ a: [1, true] })).toBe('{"a":[1,true]}');
    expect(formatValue(null)).toBe('null');
    expect(valueType([])).toBe('array');
    expect(valueType(null)).toBe('null');
    expect(valueType({})).toBe('object');
  });

  it('sorts entries by name', () => {
    expect(variableEntries({ b: 1, a: 2 })).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(variableEntries(null)).toEqual([]);
  });
});

describe('elementNames', () => {
  it('maps ids to names from BPMN XML', () => {
    const xml = `<?xml version="1.0"?>
      <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">
        <bpmn:process id="p" name="Order approval">
          <bpmn:startEvent id="Start" name="Order received"/>
          <bpmn:task id="Anon"/>
        </bpmn:process>
      </bpmn:definitions>`;
    const names = elementNames(xml);
    expect(names.get('p')).toBe('Order approval');
    expect(names.get('Start')).toBe('Order received');
    expect(names.has('Anon')).toBe(false);
    expect(elementNames('').size).toBe(0);
  });
});

describe('instanceListQuery', () => {
  const none: InstanceFilters = { state: '', process_id: '', version: '', started_from: '', variable: '' };

  it('pages by cursor with only the filters set', () => {
    expect(instanceListQuery(none, null, 50)).toEqual({ state: '', process_id: '', limit: 50 });
    expect(instanceListQuery({ ...none, state: 'incident', process_id: 'order' }, '17_abc', 50)).toEqual({
      state: 'incident',
      process_id: 'order',
      limit: 50,
      after: '17_abc',
    });
  });

  it('reads version, start day and name=value', () => {
    const query = instanceListQuery(
      { ...none, version: ' 3 ', started_from: '2026-02-01', variable: 'customer = "gold"=x' },
      null,
      20,
    );
    expect(query.version).toBe(3);
    expect(query.started_from).toBe(new Date('2026-02-01T00:00:00').toISOString());
    expect(query.variable).toBe('customer');
    expect(query.value).toBe('"gold"=x');
  });

  it('leaves out what it cannot read and says why', () => {
    const bad = { ...none, version: 'two', started_from: '2026-13', variable: '=5' };
    expect(instanceListQuery(bad, null, 20)).toEqual({ state: '', process_id: '', limit: 20 });
    expect(filterProblem(bad)).toBe('The version is a whole number.');
    expect(filterProblem({ ...none, variable: 'amount' })).toBe('Write the variable filter as name=value.');
    expect(filterProblem({ ...none, version: '2', variable: 'amount=5' })).toBeNull();
  });
});
