/**
 * DMN and form resources of the designer: new documents, finding the
 * deployed version a BPMN element links to (a business rule task's decision
 * id, a user task's form id) and the editor routes. Pure functions; the
 * editors themselves load on demand (lib/dmn/modeler.ts, lib/forms/editor.ts).
 */
import type { DecisionDefinition, Definition } from './api';

/** A form-js schema: an object with the form's `id` and its `components`. */
export type FormSchema = Record<string, unknown> & { id: string; components: unknown[] };

/** XML-safe text for an attribute. */
function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/**
 * A new DMN model: one decision table (`UNIQUE`, one input, one output and
 * one rule) drawn in the decision requirements diagram.
 */
export function emptyDmn(decisionId: string, name: string): string {
  const id = attribute(decisionId);
  const label = attribute(name);
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="Definitions_${id}" name="${label}" namespace="http://camunda.org/schema/1.0/dmn" exporter="Flowdesk">
  <decision id="${id}" name="${label}">
    <decisionTable id="DecisionTable_${id}" hitPolicy="UNIQUE">
      <input id="Input_1" label="Amount">
        <inputExpression id="InputExpression_1" typeRef="number">
          <text>amount</text>
        </inputExpression>
      </input>
      <output id="Output_1" label="Result" name="result" typeRef="string" />
      <rule id="Rule_1">
        <inputEntry id="InputEntry_1">
          <text>&gt; 100</text>
        </inputEntry>
        <outputEntry id="OutputEntry_1">
          <text>"review"</text>
        </outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_1">
      <dmndi:DMNShape id="DMNShape_${id}" dmnElementRef="${id}">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
`;
}

/** A new form: one text field, with the id user tasks link it by. */
export function emptyForm(formId: string): FormSchema {
  return {
    id: formId,
    type: 'default',
    schemaVersion: 16,
    exporter: { name: 'Flowdesk', version: '0.1.0' },
    components: [{ id: 'Field_comment', type: 'textfield', key: 'comment', label: 'Comment' }],
  };
}

/**
 * Parses a form's JSON source: a form-js schema needs an `id` (the formId)
 * and a `components` array.
 */
export function parseFormSchema(text: string): { ok: true; schema: FormSchema } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `The form is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: 'The form is not a JSON object.' };
  }
  const schema = value as Record<string, unknown>;
  if (typeof schema.id !== 'string' || !schema.id.trim()) {
    return { ok: false, error: 'The form has no id: set one so user tasks can link it.' };
  }
  if (!Array.isArray(schema.components)) {
    return { ok: false, error: 'The form has no components array.' };
  }
  return { ok: true, schema: schema as FormSchema };
}

/**
 * A decision or form id a link can follow: a static id, not a FEEL
 * expression (`=…`, resolved only when the task runs) and not empty.
 */
export function isStaticId(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && !value.trim().startsWith('=');
}

/** The newest deployed DMN version that has the decision `decisionId`. */
export function findDecisionModel(
  models: readonly DecisionDefinition[],
  decisionId: string,
): DecisionDefinition | undefined {
  return models
    .filter((model) => model.decisions.some((decision) => decision.id === decisionId))
    .sort((a, b) => b.deployed_at.localeCompare(a.deployed_at) || b.version - a.version)[0];
}

/** The newest deployed version of the form `formId`. */
export function latestForm(definitions: readonly Definition[], formId: string): Definition | undefined {
  return definitions
    .filter((definition) => definition.kind === 'form' && definition.process_id === formId)
    .sort((a, b) => b.version - a.version)[0];
}

/** `name` with `extension` (e.g. `.dmn`), added unless it is there already. */
export function withExtension(name: string, extension: string): string {
  const trimmed = name.trim();
  return trimmed.endsWith(extension) ? trimmed : `${trimmed || 'untitled'}${extension}`;
}

/** The DMN editor on a deployed definition version. */
export function dmnDefinitionHref(definitionId: string): string {
  return `#/designer/dmn?definition=${encodeURIComponent(definitionId)}`;
}

/** The DMN editor on the model with a decision: the deployed one, else a new one with that id. */
export function decisionHref(decisionId: string): string {
  return `#/designer/dmn?decision=${encodeURIComponent(decisionId)}`;
}

/** The form editor on a deployed form version. */
export function formDefinitionHref(definitionId: string): string {
  return `#/designer/form?definition=${encodeURIComponent(definitionId)}`;
}

/** The form editor on a form id: its newest deployed version, else a new form with that id. */
export function formHref(formId: string): string {
  return `#/designer/form?form=${encodeURIComponent(formId)}`;
}
