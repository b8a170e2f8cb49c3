import { describe, expect, it } from 'vitest';
import { describeValue, diffBpmn, flattenProperties } from './diff';

function model(body: string, taskType: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s" name="Start" />
    <bpmn:serviceTask id="charge" name="Charge">
      <bpmn:extensionElements><zeebe:taskDefinition type="${taskType}" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    ${body}
  </bpmn:process>
</bpmn:definitions>`;
}

describe('diffBpmn', () => {
  it('finds added, removed and changed elements with their zeebe properties', async () => {
    const before = model('<bpmn:endEvent id="done" name="Done" />', 'charge-card');
    const after = model('<bpmn:userTask id="review" name="Review" />', 'charge-wallet');
    const changes = await diffBpmn(before, after);
    const byId = new Map(changes.map((c) => [c.id, c]));
    expect(byId.get('done')).toMatchObject({ kind: 'removed', type: 'EndEvent', name: 'Done' });
    expect(byId.get('review')).toMatchObject({ kind: 'added', type: 'UserTask', name: 'Review' });
    const charge = byId.get('charge');
    expect(charge?.kind).toBe('changed');
    expect(charge?.properties.some((p) => p.before.includes('charge-card') || p.after.includes('charge-wallet'))).toBe(
      true,
    );
    expect(byId.has('s')).toBe(false);
  });

  it('finds nothing between identical versions', async () => {
    const xml = model('', 'a');
    expect(await diffBpmn(xml, xml)).toEqual([]);
  });
});

describe('describeValue', () => {
  it('renders text, absent values and elements', () => {
    expect(describeValue('x')).toBe('x');
    expect(describeValue(undefined)).toBe('—');
    expect(describeValue({ $type: 'bpmn:FormalExpression', body: '=a > 1' })).toBe('FormalExpression =a > 1');
    expect(describeValue({ $type: 'zeebe:TaskDefinition', type: 'pay', retries: '3' })).toBe(
      'TaskDefinition type=pay retries=3',
    );
  });
});

describe('flattenProperties', () => {
  it('flattens nested elements and names references by id', () => {
    const flow = { $type: 'bpmn:SequenceFlow', id: 'f' };
    const task = {
      $type: 'bpmn:ServiceTask',
      id: 't',
      name: 'Pay',
      outgoing: [flow],
      extensionElements: { $type: 'bpmn:ExtensionElements', values: [{ $type: 'zeebe:TaskDefinition', type: 'pay' }] },
    };
    const flat = flattenProperties(task);
    expect(flat.get('name')).toBe('Pay');
    expect(flat.get('outgoing[0]')).toBe('f');
    expect(flat.get('extensionElements.values[0].type')).toBe('pay');
  });
});
