import { describe, expect, it } from 'vitest';
import { BpmnModdle } from 'bpmn-moddle';
import { Linter } from 'bpmnlint';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { flattenLintResults, lintConfig } from './lint';

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">`;

async function lint(process: string) {
  const moddle = new BpmnModdle({ zeebe: zeebeModdle });
  const { rootElement } = await moddle.fromXML(`${HEADER}${process}</bpmn:definitions>`);
  const linter = new Linter(lintConfig);
  return flattenLintResults(await linter.lint(rootElement));
}

describe('designer lint rules', () => {
  it('passes a process the engine runs', async () => {
    const issues = await lint(`<bpmn:process id="p" isExecutable="true">
      <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="charge" /></bpmn:extensionElements>
        <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
      <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />
      <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" />
    </bpmn:process>`);
    expect(issues.filter((i) => i.category === 'error')).toEqual([]);
  });

  it('reports a service task without a job type and an unconditioned gateway flow', async () => {
    const issues = await lint(`<bpmn:process id="p" isExecutable="true">
      <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:exclusiveGateway id="g"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>a</bpmn:outgoing><bpmn:outgoing>b</bpmn:outgoing></bpmn:exclusiveGateway>
      <bpmn:serviceTask id="t"><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
      <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g" />
      <bpmn:sequenceFlow id="a" sourceRef="g" targetRef="t"><bpmn:conditionExpression>=x &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="b" sourceRef="g" targetRef="e" />
      <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" />
    </bpmn:process>`);
    const errors = issues.filter((i) => i.category === 'error').map((i) => `${i.rule} ${i.elementId}`);
    expect(errors).toContain('flowdesk/service-task-type t');
    expect(errors).toContain('flowdesk/gateway-conditions b');
    expect(errors).not.toContain('flowdesk/gateway-conditions a');
  });

  it('requires start and end events and connected elements', async () => {
    const issues = await lint(`<bpmn:process id="p" isExecutable="true">
      <bpmn:task id="lonely" />
    </bpmn:process>`);
    const rules = issues.map((i) => i.rule);
    expect(rules).toContain('start-event-required');
    expect(rules).toContain('end-event-required');
    expect(rules).toContain('no-disconnected');
  });
});

describe('flattenLintResults', () => {
  it('puts errors first and takes the rule from the report when grouped by element', () => {
    const issues = flattenLintResults({
      t: [
        { id: 't', message: 'w', category: 'warn', rule: 'no-implicit-split' },
        { id: 't', message: 'e', category: 'error', rule: 'flowdesk/service-task-type' },
      ],
    });
    expect(issues.map((i) => [i.category, i.rule])).toEqual([
      ['error', 'flowdesk/service-task-type'],
      ['warn', 'no-implicit-split'],
    ]);
  });
});
