/**
 * Semantic diff of two versions of a BPMN model (bpmn-js-differ over the
 * zeebe-aware moddle): which elements were added, removed, changed (with the
 * properties, including `zeebe:*` extensions) or only moved on the diagram.
 * Loaded on demand with the diff screen.
 */
import { BpmnModdle } from 'bpmn-moddle';
import { diff } from 'bpmn-js-differ';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';

export type ChangeKind = 'added' | 'removed' | 'changed' | 'layout';

/** One changed property of an element. */
export interface PropertyChange {
  /** Property path as the differ names it, e.g. `name` or `extensionElements.values[0].type`. */
  property: string;
  before: string;
  after: string;
}

/** One element that differs between the two versions. */
export interface ElementChange {
  id: string;
  kind: ChangeKind;
  /** The BPMN type without prefix, e.g. `ServiceTask`. */
  type: string;
  name: string;
  properties: PropertyChange[];
}

interface ModdleElement {
  id?: string;
  name?: string;
  $type?: string;
}

/** A readable value of a property: text as is, elements by type and id, the rest as JSON. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const element = value as ModdleElement & { body?: unknown; type?: unknown; value?: unknown };
  if (element.$type) {
    const type = element.$type.replace(/^\w+:/, '');
    if (typeof element.body === 'string') return `${type} ${element.body}`;
    const attrs = Object.entries(element)
      .filter(([key, v]) => !key.startsWith('$') && (typeof v === 'string' || typeof v === 'number'))
      .map(([key, v]) => `${key}=${String(v)}`);
    return attrs.length ? `${type} ${attrs.join(' ')}` : type;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function change(kind: ChangeKind, id: string, element: unknown, properties: PropertyChange[] = []): ElementChange {
  const moddle = (element ?? {}) as ModdleElement;
  return {
    id,
    kind,
    type: (moddle.$type ?? '').replace(/^\w+:/, ''),
    name: typeof moddle.name === 'string' ? moddle.name : '',
    properties,
  };
}

/**
 * The properties of an element as `path → text`, nested elements without an
 * id (extension elements, expressions, event definitions) flattened in,
 * referenced elements (flows, messages) named by id.
 */
export function flattenProperties(element: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (element === null || typeof element !== 'object') return out;
  for (const [key, value] of Object.entries(element)) {
    if (key.startsWith('$') || key === 'flowElements' || key === 'di') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        const ref = item as ModdleElement;
        if (ref && typeof ref === 'object' && ref.id) out.set(`${path}[${index}]`, ref.id);
        else if (ref && typeof ref === 'object') flattenProperties(ref, `${path}[${index}]`, out);
        else out.set(`${path}[${index}]`, describeValue(ref));
      });
    } else if (typeof value === 'object') {
      const ref = value as ModdleElement;
      if (ref.id) out.set(path, ref.id);
      else {
        const nested = value as { $type?: string };
        if (nested.$type) out.set(`${path}.$type`, nested.$type);
        flattenProperties(value, path, out);
      }
    } else {
      out.set(path, describeValue(value));
    }
  }
  return out;
}

function propertyChanges(before: unknown, after: unknown): PropertyChange[] {
  const old = flattenProperties(before);
  const now = flattenProperties(after);
  const keys = [...new Set([...old.keys(), ...now.keys()])].sort();
  return keys
    .filter((key) => old.get(key) !== now.get(key))
    .map((key) => ({ property: key.replace(/\.\$type$/, ''), before: old.get(key) ?? '—', after: now.get(key) ?? '—' }));
}

/** Compares two BPMN documents; removed, added, changed, then layout-only changes. */
export async function diffBpmn(oldXml: string, newXml: string): Promise<ElementChange[]> {
  const moddle = new BpmnModdle({ zeebe: zeebeModdle });
  const [{ rootElement: before, elementsById: oldById }, { rootElement: after }] = await Promise.all([
    moddle.fromXML(oldXml),
    moddle.fromXML(newXml),
  ]);
  const result = diff(before, after);
  const changes: ElementChange[] = [];
  for (const [id, element] of Object.entries(result._removed)) changes.push(change('removed', id, element));
  for (const [id, element] of Object.entries(result._added)) changes.push(change('added', id, element));
  for (const [id, { model }] of Object.entries(result._changed)) {
    const properties = propertyChanges(oldById[id], model);
    if (properties.length) changes.push(change('changed', id, model, properties));
  }
  const semantic = new Set(changes.map((c) => c.id));
  for (const [id, element] of Object.entries(result._layoutChanged)) {
    if (!semantic.has(id)) changes.push(change('layout', id, element));
  }
  return changes;
}
