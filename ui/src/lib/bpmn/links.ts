/**
 * "Open in the editor" links in the properties panel: under a business rule
 * task's decision id (to the DMN editor) and a user task's linked form id
 * (to the form editor). A properties provider that runs after the zeebe
 * one and adds an entry to its "Called decision" and "Form" groups.
 */
import { h } from '@bpmn-io/properties-panel/preact';
import { decisionHref, formHref, isStaticId } from '../resources';

interface ModdleElement {
  $type: string;
  get(name: string): unknown;
}

interface Shape {
  businessObject: ModdleElement & { extensionElements?: { values?: ModdleElement[] } };
}

/** Where an element's decision or form link leads, if it has a static one. */
export interface EditorLink {
  kind: 'decision' | 'form';
  id: string;
  href: string;
}

function extension(element: Shape, type: string): ModdleElement | undefined {
  return element.businessObject.extensionElements?.values?.find((value) => value.$type === type);
}

/** The link of a business rule task's `zeebe:calledDecision` or a user task's `zeebe:formDefinition formId`. */
export function editorLink(element: Shape): EditorLink | null {
  const type = element.businessObject.$type;
  if (type === 'bpmn:BusinessRuleTask') {
    const id = extension(element, 'zeebe:CalledDecision')?.get('decisionId');
    return isStaticId(id) ? { kind: 'decision', id, href: decisionHref(id.trim()) } : null;
  }
  if (type === 'bpmn:UserTask') {
    const id = extension(element, 'zeebe:FormDefinition')?.get('formId');
    return isStaticId(id) ? { kind: 'form', id, href: formHref(id.trim()) } : null;
  }
  return null;
}

function LinkEntry(props: { element: Shape; id: string }) {
  const link = editorLink(props.element);
  const content = link
    ? h(
        'a',
        { class: 'fd-editor-link', href: link.href, 'data-testid': link.kind === 'decision' ? 'open-decision' : 'open-form' },
        link.kind === 'decision' ? `Open ${link.id} in the DMN editor →` : `Edit form ${link.id} in the form editor →`,
      )
    : h('span', { class: 'bio-properties-panel-description' }, 'Enter a static id to open it in its editor.');
  return h('div', { class: 'bio-properties-panel-entry', 'data-entry-id': props.id }, content);
}

interface Group {
  id: string;
  entries?: { id: string; component: unknown; isEdited?: unknown }[];
}

/** The properties provider; registered after the zeebe provider (priority 500). */
export class EditorLinkProvider {
  static $inject = ['propertiesPanel'];

  constructor(propertiesPanel: { registerProvider(priority: number, provider: unknown): void }) {
    propertiesPanel.registerProvider(400, this);
  }

  getGroups() {
    return (groups: Group[]) => {
      for (const group of groups) {
        const after = group.id === 'calledDecision' ? 'decisionId' : group.id === 'form' ? 'formId' : null;
        const index = after && group.entries ? group.entries.findIndex((entry) => entry.id === after) : -1;
        if (index >= 0 && group.entries) {
          group.entries.splice(index + 1, 0, {
            id: group.id === 'form' ? 'openFormEditor' : 'openDmnEditor',
            component: LinkEntry,
            isEdited: () => false,
          });
        }
      }
      return groups;
    };
  }
}

/** The didi module of the provider. */
export const EditorLinksModule = {
  __init__: ['editorLinkProvider'],
  editorLinkProvider: ['type', EditorLinkProvider],
};
