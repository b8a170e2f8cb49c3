/**
 * What the tasklist reads from a user task's process model: its name, due
 * date, priority and form (`zeebe:userTaskForm` embedded in the process, or
 * a linked form id). Pure functions over the BPMN XML.
 */

const ZEEBE = 'http://camunda.org/schema/zeebe/1.0';
const EMBEDDED_PREFIX = 'camunda-forms:bpmn:';

/** What the model says about one user task. */
export interface TaskModel {
  name: string;
  /** `zeebe:taskSchedule dueDate` (ISO 8601 text or a FEEL expression). */
  dueDate: string | null;
  followUpDate: string | null;
  /** `zeebe:priorityDefinition priority` (0–100; Zeebe's default is 50). */
  priority: number | null;
  documentation: string;
}

function byId(doc: Document, id: string): Element | null {
  for (const element of Array.from(doc.getElementsByTagName('*'))) {
    if (element.getAttribute('id') === id) return element;
  }
  return null;
}

function zeebeChild(element: Element, localName: string): Element | null {
  for (const child of Array.from(element.getElementsByTagName('*'))) {
    if (child.localName === localName && (child.namespaceURI === ZEEBE || child.tagName.startsWith('zeebe:'))) {
      return child;
    }
  }
  return null;
}

function parse(xml: string): Document | null {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  return doc.getElementsByTagName('parsererror').length ? null : doc;
}

/** Reads a user task's name, schedule and priority from the process XML. */
export function taskModel(xml: string, elementId: string): TaskModel {
  const empty: TaskModel = { name: elementId, dueDate: null, followUpDate: null, priority: null, documentation: '' };
  const doc = parse(xml);
  const task = doc && byId(doc, elementId);
  if (!task) return empty;
  const schedule = zeebeChild(task, 'taskSchedule');
  const priority = zeebeChild(task, 'priorityDefinition')?.getAttribute('priority');
  const parsedPriority = priority !== null && priority !== undefined && /^\d+$/.test(priority) ? Number(priority) : null;
  const documentation = Array.from(task.children).find((c) => c.localName === 'documentation');
  return {
    name: task.getAttribute('name')?.trim() || elementId,
    dueDate: schedule?.getAttribute('dueDate') || null,
    followUpDate: schedule?.getAttribute('followUpDate') || null,
    priority: parsedPriority,
    documentation: documentation?.textContent?.trim() ?? '',
  };
}

/**
 * The form-js schema of a task's form when it is embedded in the process
 * (`formKey = camunda-forms:bpmn:{id}` → `<zeebe:userTaskForm id="{id}">`
 * JSON); null when the key is not an embedded one or the form is missing.
 */
export function embeddedFormSchema(xml: string, formKey: string | null): Record<string, unknown> | null {
  if (!formKey || !formKey.startsWith(EMBEDDED_PREFIX)) return null;
  const id = formKey.slice(EMBEDDED_PREFIX.length);
  const doc = parse(xml);
  if (!doc) return null;
  for (const element of Array.from(doc.getElementsByTagName('*'))) {
    if (element.localName === 'userTaskForm' && element.getAttribute('id') === id) {
      try {
        const schema: unknown = JSON.parse(element.textContent ?? '');
        return schema && typeof schema === 'object' ? (schema as Record<string, unknown>) : null;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** A linked form's id (`zeebe:formDefinition formId`), when the key is not an embedded form. */
export function linkedFormId(formKey: string | null): string | null {
  if (!formKey || formKey.startsWith(EMBEDDED_PREFIX)) return null;
  return formKey;
}

export type DueState = 'overdue' | 'today' | 'later' | 'expression';

/** How urgent a due date is, relative to `now`. */
export function dueState(dueDate: string, now: Date): DueState {
  if (dueDate.startsWith('=')) return 'expression';
  const due = new Date(dueDate);
  if (Number.isNaN(due.getTime())) return 'expression';
  if (due.getTime() < now.getTime()) return 'overdue';
  return due.toDateString() === now.toDateString() ? 'today' : 'later';
}

/** A word for a 0–100 priority, as Camunda's tasklist shows it. */
export function priorityLabel(priority: number): string {
  if (priority > 75) return 'Critical';
  if (priority > 50) return 'High';
  if (priority > 25) return 'Medium';
  return 'Low';
}
