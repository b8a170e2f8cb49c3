/**
 * The bpmnlint configuration of the designer, compiled by hand into a module
 * (what `bpmnlint-pack-config` would generate): the core rules that match
 * what the Flowdesk engine executes, plus Flowdesk rules for what a deploy
 * would reject or what would stop an instance at run time.
 */
import { is } from 'bpmnlint-utils';
import conditionalFlows from 'bpmnlint/rules/conditional-flows';
import endEventRequired from 'bpmnlint/rules/end-event-required';
import noDisconnected from 'bpmnlint/rules/no-disconnected';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows';
import noComplexGateway from 'bpmnlint/rules/no-complex-gateway';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split';
import singleBlankStartEvent from 'bpmnlint/rules/single-blank-start-event';
import singleEventDefinition from 'bpmnlint/rules/single-event-definition';
import startEventRequired from 'bpmnlint/rules/start-event-required';
import subProcessBlankStartEvent from 'bpmnlint/rules/sub-process-blank-start-event';

/** A moddle element as bpmnlint sees it. */
export interface LintNode {
  id?: string;
  $type: string;
  [key: string]: unknown;
}

interface Reporter {
  report(id: string | undefined, message: string, path?: string[]): void;
}

type RuleFactory = () => { check: (node: LintNode, reporter: Reporter) => void };

/** Extension elements of a node, by moddle type. */
function extension(node: LintNode, type: string): LintNode | undefined {
  const container = node.extensionElements as { values?: LintNode[] } | undefined;
  return container?.values?.find((value) => is(value, type));
}

/** A service-like task runs as a job: it needs `zeebe:taskDefinition type`. */
const serviceTaskType: RuleFactory = () => ({
  check(node, reporter) {
    const jobTask =
      is(node, 'bpmn:ServiceTask') ||
      is(node, 'bpmn:SendTask') ||
      (is(node, 'bpmn:IntermediateThrowEvent') && hasMessageDefinition(node)) ||
      (is(node, 'bpmn:EndEvent') && hasMessageDefinition(node));
    if (!jobTask) return;
    const definition = extension(node, 'zeebe:TaskDefinition');
    const type = typeof definition?.type === 'string' ? definition.type.trim() : '';
    if (!type) reporter.report(node.id, 'Task has no job type (Task definition → Type)', ['taskDefinition']);
  },
});

function hasMessageDefinition(node: LintNode): boolean {
  const definitions = (node.eventDefinitions as LintNode[] | undefined) ?? [];
  return definitions.some((definition) => is(definition, 'bpmn:MessageEventDefinition'));
}

/**
 * Every flow out of an exclusive or inclusive gateway that forks needs a
 * condition unless it is the default flow: otherwise the engine raises a
 * "no condition met" incident.
 */
const gatewayConditions: RuleFactory = () => ({
  check(node, reporter) {
    if (!is(node, 'bpmn:ExclusiveGateway') && !is(node, 'bpmn:InclusiveGateway')) return;
    const outgoing = (node.outgoing as LintNode[] | undefined) ?? [];
    if (outgoing.length < 2) return;
    for (const flow of outgoing) {
      if (!flow.conditionExpression && node.default !== flow) {
        reporter.report(flow.id, 'Flow out of a gateway needs a condition or must be the default flow', [
          'conditionExpression',
        ]);
      }
    }
  },
});

/** A business rule task must name a decision (or be a job worker task). */
const calledDecision: RuleFactory = () => ({
  check(node, reporter) {
    if (!is(node, 'bpmn:BusinessRuleTask')) return;
    const decision = extension(node, 'zeebe:CalledDecision');
    const task = extension(node, 'zeebe:TaskDefinition');
    if (!decision?.decisionId && !task?.type) {
      reporter.report(node.id, 'Business rule task calls no decision (Called decision → Decision ID)');
    }
  },
});

/** A call activity must name the process it starts. */
const calledElement: RuleFactory = () => ({
  check(node, reporter) {
    if (!is(node, 'bpmn:CallActivity')) return;
    const called = extension(node, 'zeebe:CalledElement');
    if (!called?.processId) reporter.report(node.id, 'Call activity calls no process (Called element → Process ID)');
  },
});

/** A message catch needs a message with a name to correlate on. */
const messageName: RuleFactory = () => ({
  check(node, reporter) {
    const catches =
      is(node, 'bpmn:ReceiveTask') ||
      ((is(node, 'bpmn:IntermediateCatchEvent') || is(node, 'bpmn:BoundaryEvent')) && hasMessageDefinition(node));
    if (!catches) return;
    const message = is(node, 'bpmn:ReceiveTask')
      ? (node.messageRef as LintNode | undefined)
      : ((node.eventDefinitions as LintNode[]).find((d) => is(d, 'bpmn:MessageEventDefinition'))?.messageRef as
          | LintNode
          | undefined);
    if (!message?.name) reporter.report(node.id, 'Message catch has no message name (Message → Name)');
  },
});

/** Rule id → severity, as in a `.bpmnlintrc`. */
export const LINT_RULES: Record<string, 'error' | 'warn' | 'off'> = {
  'conditional-flows': 'error',
  'end-event-required': 'error',
  'label-required': 'off',
  'no-complex-gateway': 'error',
  'no-disconnected': 'error',
  'no-duplicate-sequence-flows': 'error',
  'no-implicit-split': 'warn',
  'single-blank-start-event': 'error',
  'single-event-definition': 'error',
  'start-event-required': 'error',
  'sub-process-blank-start-event': 'error',
  'flowdesk/service-task-type': 'error',
  'flowdesk/gateway-conditions': 'error',
  'flowdesk/called-decision': 'error',
  'flowdesk/called-element': 'error',
  'flowdesk/message-name': 'error',
};

const CORE_RULES: Record<string, unknown> = {
  'conditional-flows': conditionalFlows,
  'end-event-required': endEventRequired,
  'no-complex-gateway': noComplexGateway,
  'no-disconnected': noDisconnected,
  'no-duplicate-sequence-flows': noDuplicateSequenceFlows,
  'no-implicit-split': noImplicitSplit,
  'single-blank-start-event': singleBlankStartEvent,
  'single-event-definition': singleEventDefinition,
  'start-event-required': startEventRequired,
  'sub-process-blank-start-event': subProcessBlankStartEvent,
};

const FLOWDESK_RULES: Record<string, RuleFactory> = {
  'service-task-type': serviceTaskType,
  'gateway-conditions': gatewayConditions,
  'called-decision': calledDecision,
  'called-element': calledElement,
  'message-name': messageName,
};

/** The packed configuration `bpmn-js-bpmnlint` and bpmnlint's `Linter` take. */
export const lintConfig = {
  config: { rules: LINT_RULES },
  resolver: {
    resolveRule(pkg: string, ruleName: string): unknown {
      if (pkg === 'bpmnlint') return CORE_RULES[ruleName];
      if (pkg === 'bpmnlint-plugin-flowdesk') return FLOWDESK_RULES[ruleName];
      return undefined;
    },
    resolveConfig(): undefined {
      return undefined;
    },
  },
};

/** One finding of the linter, flattened for the problems list. */
export interface LintIssue {
  elementId: string;
  rule: string;
  message: string;
  category: 'error' | 'warn' | 'info';
}

/** A report as bpmnlint and `bpmn-js-bpmnlint` hand it out. */
export interface LintReport {
  id?: string;
  message: string;
  category?: string;
  rule?: string;
}

/**
 * Flattens lint results into a list, errors first: bpmnlint's `Linter.lint`
 * groups them by rule, `linting.completed` of bpmn-js-bpmnlint by element
 * (each report then names its `rule`).
 */
export function flattenLintResults(results: Record<string, LintReport[]>): LintIssue[] {
  const issues: LintIssue[] = [];
  for (const [key, reports] of Object.entries(results)) {
    for (const report of reports) {
      const category = report.category === 'warn' || report.category === 'info' ? report.category : 'error';
      issues.push({ elementId: report.id ?? '', rule: report.rule ?? key, message: report.message, category });
    }
  }
  const rank = { error: 0, warn: 1, info: 2 };
  return issues.sort((a, b) => rank[a.category] - rank[b.category] || a.elementId.localeCompare(b.elementId));
}
