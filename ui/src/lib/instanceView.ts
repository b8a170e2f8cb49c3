/**
 * Pure helpers for the instance detail screen: what the diagram overlays show
 * per BPMN element (from the history and the incidents), timeline labels and
 * the variables table.
 */
import type { HistoryEvent, Incident, InstanceQuery, InstanceState } from './api';

/** What happened to one BPMN element of an instance. */
export interface ElementStats {
  /** Element instances still running (tokens waiting there). */
  active: number;
  /** Element instances that completed. */
  completed: number;
  /** Element instances that were terminated (interrupted or cancelled). */
  terminated: number;
  /** Open incidents at this element. */
  incidents: number;
}

function emptyStats(): ElementStats {
  return { active: 0, completed: 0, terminated: 0, incidents: 0 };
}

function elementInstanceKey(detail: unknown): string | null {
  if (!detail || typeof detail !== 'object') return null;
  const key = (detail as Record<string, unknown>).element_instance_key;
  return typeof key === 'number' || typeof key === 'string' ? String(key) : null;
}

/**
 * Per-element counts from the history (oldest first) and the instance's
 * incidents. Active element instances are those activated and neither
 * completed nor terminated yet (matched by `element_instance_key` when the
 * event carries one, else counted); an instance that has ended has none.
 */
export function elementStats(
  history: readonly HistoryEvent[],
  incidents: readonly Incident[] = [],
  state: InstanceState | null = null,
): Map<string, ElementStats> {
  const stats = new Map<string, ElementStats>();
  const at = (id: string) => {
    let entry = stats.get(id);
    if (!entry) stats.set(id, (entry = emptyStats()));
    return entry;
  };
  const running = new Map<string, Set<string>>();
  const anonymous = new Map<string, number>();

  for (const event of history) {
    const id = event.element_id;
    if (!id) continue;
    const key = elementInstanceKey(event.detail);
    switch (event.kind) {
      case 'elementActivated':
        at(id);
        if (key !== null) {
          let keys = running.get(id);
          if (!keys) running.set(id, (keys = new Set()));
          keys.add(key);
        } else {
          anonymous.set(id, (anonymous.get(id) ?? 0) + 1);
        }
        break;
      case 'elementCompleted':
      case 'elementTerminated': {
        const entry = at(id);
        if (event.kind === 'elementCompleted') entry.completed++;
        else entry.terminated++;
        if (key !== null && running.get(id)?.delete(key)) break;
        anonymous.set(id, Math.max(0, (anonymous.get(id) ?? 0) - 1));
        break;
      }
    }
  }

  const ended = state === 'completed' || state === 'cancelled';
  if (!ended) {
    for (const [id, keys] of running) at(id).active += keys.size;
    for (const [id, count] of anonymous) at(id).active += count;
  }
  for (const incident of incidents) {
    if (incident.state === 'open') at(incident.element_id).incidents++;
  }
  return stats;
}

/** `elementActivated` -> "Element activated", `jobCreated` -> "Job created". */
export function eventLabel(kind: string): string {
  const words = kind
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : kind;
}

export type EventTone = 'active' | 'completed' | 'terminated' | 'incident' | 'neutral';

/** The colour family a history event is shown in. */
export function eventTone(kind: string): EventTone {
  if (kind === 'elementActivated') return 'active';
  if (kind === 'elementCompleted' || kind === 'jobCompleted' || kind === 'incidentResolved') return 'completed';
  if (kind === 'elementTerminated' || kind === 'jobCancelled' || kind === 'instanceCancelled') return 'terminated';
  if (kind.startsWith('incident') || kind === 'jobFailed') return 'incident';
  return 'neutral';
}

/** A variable value for a table cell: strings as-is, everything else as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The JSON type of a value, for a small hint next to it. */
export function valueType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Variables sorted by name. */
export function variableEntries(variables: Record<string, unknown> | null | undefined): [string, unknown][] {
  return Object.entries(variables ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

/** Element id -> name from BPMN XML (elements without a name are left out). */
export function elementNames(xml: string): Map<string, string> {
  const names = new Map<string, string>();
  if (!xml || typeof DOMParser === 'undefined') return names;
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  for (const el of Array.from(doc.getElementsByTagName('*'))) {
    const id = el.getAttribute('id');
    const name = el.getAttribute('name');
    if (id && name && !el.localName.startsWith('BPMN') && !names.has(id)) names.set(id, name.trim());
  }
  return names;
}

/** The filters of the instance list as the user enters them. */
export interface InstanceFilters {
  state: InstanceState | '';
  process_id: string;
  /** A version number, or '' for all. */
  version: string;
  /** A day (YYYY-MM-DD, the user's time zone): started that day or later. */
  started_from: string;
  /** `name=value` (value as JSON, else a string), or ''. */
  variable: string;
}

/** Why a filter cannot be applied, or null when all are fine. */
export function filterProblem(filters: InstanceFilters): string | null {
  if (filters.version && !/^\d+$/.test(filters.version.trim())) return 'The version is a whole number.';
  const variable = filters.variable.trim();
  if (variable && !/^[^=\s][^=]*=/.test(variable)) return 'Write the variable filter as name=value.';
  return null;
}

/**
 * GET /api/instances query for the filters, the page's cursor and size
 * (filters with a problem are left out, see `filterProblem`).
 */
export function instanceListQuery(filters: InstanceFilters, after: string | null, limit: number): InstanceQuery {
  const query: InstanceQuery = { state: filters.state, process_id: filters.process_id, limit };
  if (after) query.after = after;
  const version = filters.version.trim();
  if (/^\d+$/.test(version)) query.version = Number(version);
  if (/^\d{4}-\d{2}-\d{2}$/.test(filters.started_from)) {
    const day = new Date(`${filters.started_from}T00:00:00`);
    if (!Number.isNaN(day.getTime())) query.started_from = day.toISOString();
  }
  const variable = filters.variable.trim();
  const equals = variable.indexOf('=');
  if (equals > 0) {
    query.variable = variable.slice(0, equals).trim();
    query.value = variable.slice(equals + 1).trim();
  }
  return query;
}
