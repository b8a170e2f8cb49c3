import { describe, expect, it } from 'vitest';
import { BpmnModdle } from 'bpmn-moddle';
import { Linter } from 'bpmnlint';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { flattenLintResults, lintConfig } from './lint';
import { linkSequenceFlows, type FlowElement } from './sequenceFlows';

/** start → gateway → (a) task → end, (b) → end; no node lists its flows, as the engine allows. */
const WITHOUT_LISTS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:exclusiveGateway id="g" />
    <bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="charge" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g" />
    <bpmn:sequenceFlow id="a" sourceRef="g" targetRef="t"><bpmn:conditionExpression>=x &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="b" sourceRef="g" targetRef="e" />
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>`;

async function parse(xml: string) {
  const moddle = new BpmnModdle({ zeebe: zeebeModdle });
  return moddle.fromXML(xml) as Promise<{ rootElement: unknown; elementsById: Record<string, FlowElement> }>;
}

const ids = (elements: FlowElement[]) => elements.map((element) => (element as unknown as { id: string }).id);

describe('linkSequenceFlows', () => {
  it("fills in each node's incoming and outgoing flows, once", async () => {
    const { elementsById } = await parse(WITHOUT_LISTS);
    linkSequenceFlows(elementsById);
    linkSequenceFlows(elementsById);
    expect(ids(elementsById.g.get('incoming'))).toEqual(['f1']);
    expect(ids(elementsById.g.get('outgoing')).sort()).toEqual(['a', 'b']);
    expect(ids(elementsById.e.get('incoming')).sort()).toEqual(['b', 'f2']);
    expect(ids(elementsById.s.get('incoming'))).toEqual([]);
  });

  it('lets the linter see the flows the engine runs: no node is "not connected", the gateway flow without condition is reported', async () => {
    const unlinked = await parse(WITHOUT_LISTS);
    const before = flattenLintResults(await new Linter(lintConfig).lint(unlinked.rootElement));
    expect(before.filter((issue) => issue.rule === 'no-disconnected').map((issue) => issue.elementId).sort()).toEqual([
      'e',
      'g',
      's',
      't',
    ]);

    const linked = await parse(WITHOUT_LISTS);
    linkSequenceFlows(linked.elementsById);
    const after = flattenLintResults(await new Linter(lintConfig).lint(linked.rootElement));
    expect(after.filter((issue) => issue.rule === 'no-disconnected')).toEqual([]);
    const errors = after.filter((issue) => issue.category === 'error').map((issue) => `${issue.rule} ${issue.elementId}`);
    expect(errors.sort()).toEqual(['conditional-flows b', 'flowdesk/gateway-conditions b']);
  });
});
