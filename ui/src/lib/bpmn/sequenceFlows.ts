/**
 * A BPMN file may leave out a flow node's `incoming` and `outgoing` lists:
 * its sequence flows' `sourceRef` and `targetRef` say the same, and the
 * engine reads those. bpmn-js and bpmnlint read the node's lists, so such a
 * file looked disconnected to the linter (every node "not connected", every
 * gateway's flows unchecked). The designer fills the lists in from the
 * flows right after parsing, as Camunda Modeler writes them.
 */

/** A moddle element as the parser hands it out. */
export interface FlowElement {
  $type: string;
  sourceRef?: FlowElement;
  targetRef?: FlowElement;
  get(name: 'incoming' | 'outgoing'): FlowElement[];
}

/** Adds each sequence flow to its source's `outgoing` and its target's `incoming` where missing. */
export function linkSequenceFlows(elementsById: Record<string, FlowElement>): void {
  for (const flow of Object.values(elementsById)) {
    if (flow.$type !== 'bpmn:SequenceFlow') continue;
    const outgoing = flow.sourceRef?.get('outgoing');
    if (outgoing && !outgoing.includes(flow)) outgoing.push(flow);
    const incoming = flow.targetRef?.get('incoming');
    if (incoming && !incoming.includes(flow)) incoming.push(flow);
  }
}

interface EventBus {
  on(event: string, callback: (event: { elementsById?: Record<string, FlowElement> }) => void): void;
}

/** Links the flows of every parsed diagram before bpmn-js draws it. */
export class SequenceFlowLinks {
  static $inject = ['eventBus'];

  constructor(eventBus: EventBus) {
    eventBus.on('import.parse.complete', ({ elementsById }) => {
      if (elementsById) linkSequenceFlows(elementsById);
    });
  }
}

/** The didi module. */
export const SequenceFlowLinksModule = {
  __init__: ['sequenceFlowLinks'],
  sequenceFlowLinks: ['type', SequenceFlowLinks],
};
