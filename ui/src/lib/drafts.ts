/**
 * Designer drafts and test-run scenarios, kept in local storage so an
 * unsaved diagram survives a reload and named variable sets can be reused.
 * Pure functions over a `Storage` (tests pass their own).
 */

const DRAFT_PREFIX = 'flowdesk.draft.';
const SCENARIO_PREFIX = 'flowdesk.scenarios.';

/** An autosaved diagram. */
export interface Draft {
  /** The file name it deploys as, e.g. `order.bpmn`. */
  fileName: string;
  xml: string;
  /** The deployed definition it was opened from, if any. */
  baseDefinitionId: string | null;
  /** Milliseconds since the epoch. */
  savedAt: number;
}

/** A named set of start variables for test runs of one process. */
export interface Scenario {
  name: string;
  /** JSON object text, as typed. */
  variables: string;
}

function read<T>(storage: Storage, key: string): T | null {
  const text = storage.getItem(key);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** The draft stored under `key` (a definition id or `new`), or null. */
export function loadDraft(storage: Storage, key: string): Draft | null {
  const draft = read<Draft>(storage, DRAFT_PREFIX + key);
  return draft && typeof draft.xml === 'string' && typeof draft.fileName === 'string' ? draft : null;
}

export function saveDraft(storage: Storage, key: string, draft: Draft): void {
  storage.setItem(DRAFT_PREFIX + key, JSON.stringify(draft));
}

export function removeDraft(storage: Storage, key: string): void {
  storage.removeItem(DRAFT_PREFIX + key);
}

/** The scenarios saved for a process id, in the order they were saved. */
export function loadScenarios(storage: Storage, processId: string): Scenario[] {
  const list = read<Scenario[]>(storage, SCENARIO_PREFIX + processId);
  return Array.isArray(list)
    ? list.filter((s) => typeof s?.name === 'string' && typeof s?.variables === 'string')
    : [];
}

/** Saves (or replaces, by name) a scenario and returns the new list. */
export function saveScenario(storage: Storage, processId: string, scenario: Scenario): Scenario[] {
  const list = loadScenarios(storage, processId).filter((s) => s.name !== scenario.name);
  list.push(scenario);
  storage.setItem(SCENARIO_PREFIX + processId, JSON.stringify(list));
  return list;
}

export function deleteScenario(storage: Storage, processId: string, name: string): Scenario[] {
  const list = loadScenarios(storage, processId).filter((s) => s.name !== name);
  storage.setItem(SCENARIO_PREFIX + processId, JSON.stringify(list));
  return list;
}

/**
 * Parses the variables editor's text: empty means no variables; anything
 * else must be a JSON object.
 */
export function parseVariables(
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: 'Variables must be a JSON object, e.g. {"amount": 100}' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
