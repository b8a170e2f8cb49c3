/**
 * The one module that talks to the Flowdesk server. Every screen goes through
 * here, so the base URL, cookies, error parsing and the 401 redirect live in
 * one place. Types mirror docs/INTERFACES.md (to be generated from the
 * OpenAPI document later).
 */
import { convertFileSrc } from '@tauri-apps/api/core';

// ---------------------------------------------------------------- types

export type Role = 'admin' | 'designer' | 'operator' | 'analyst' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'designer', 'operator', 'analyst', 'viewer'];

export type Permission =
  | 'definition:read'
  | 'definition:deploy'
  | 'instance:read'
  | 'instance:start'
  | 'user:read'
  | 'user:manage'
  | 'audit:read'
  | (string & {});

/** RFC 3339 UTC timestamp string. */
export type Timestamp = string;

/** The kinds of resource a role may hold a permission on by itself. */
export type GrantResourceType = 'process' | 'decision' | 'report';

/** The permissions that may be granted on one resource of each type (as the server checks). */
export const GRANTABLE: Readonly<Record<GrantResourceType, readonly Permission[]>> = {
  process: ['instance:read', 'instance:start'],
  decision: ['instance:start'],
  report: ['report:read', 'report:manage'],
};

/** A permission a role holds on one resource only. */
export interface ResourceGrant {
  id: string;
  role: string;
  permission: Permission;
  resource_type: GrantResourceType;
  resource_id: string;
  /** Milliseconds since the epoch. */
  created_at: number;
}

export interface NewResourceGrant {
  permission: Permission;
  resource_type: GrantResourceType;
  resource_id: string;
}

export interface User {
  id: string;
  username: string;
  role: Role | (string & {});
  created_at: Timestamp;
}

/** The signed-in user as returned by GET /api/auth/me. */
export interface CurrentUser extends User {
  permissions: Permission[];
}

export interface SetupStatus {
  needs_setup: boolean;
}

export interface Credentials {
  username: string;
  password: string;
}

/** The 202 answer of POST /api/auth/login: the password was right, a second factor is due. */
export interface MfaChallenge {
  mfa_required: true;
  /** The second factors the account has: 'totp' and/or 'passkey'. */
  methods?: SecondFactor[];
}

export type SecondFactor = 'totp' | 'passkey';

/** Options for the browser's WebAuthn call and the id to answer them with. */
export interface PasskeyChallenge {
  challenge_id: string;
  /** `{ publicKey: … }`, binary fields as base64url (see passkeys.ts). */
  options: Record<string, unknown>;
}

/** A registered passkey of the signed-in user. */
export interface Passkey {
  id: string;
  name: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

/** The browser's answer to a passkey challenge. */
export interface PasskeyAnswer {
  challenge_id: string;
  credential: Record<string, unknown>;
}

/** True when a login answer asks for the second factor rather than carrying the user. */
export function isMfaChallenge(answer: User | MfaChallenge): answer is MfaChallenge {
  return (answer as Partial<MfaChallenge>).mfa_required === true;
}

/** A started TOTP enrolment (POST /api/auth/mfa/totp). */
export interface TotpEnrolment {
  /** Base32 secret, for typing into an authenticator app by hand. */
  secret: string;
  otpauth_uri: string;
  /** The otpauth URI as a QR code: a base64 SVG `data:` URI, for an `<img src>`. */
  qr_code: string;
}

/** One of the caller's own sessions (GET /api/auth/sessions). */
export interface SessionInfo {
  id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  /** Client address it was opened from ('' when unknown). */
  client: string;
  /** The session of this browser. */
  current: boolean;
}

export interface PasswordChange {
  current_password: string;
  new_password: string;
}

/** The server's minimum password length (docs/SECURITY.md). */
export const MIN_PASSWORD_LENGTH = 12;

export type DefinitionKind = 'bpmn' | 'dmn' | 'form';

export interface Definition {
  id: string;
  process_id: string;
  name: string | null;
  version: number;
  resource_name: string;
  kind: DefinitionKind;
  deployed_at: Timestamp;
  deployed_by: string;
}

/** A deployed DMN definition version with its decisions (GET /api/decisions). */
export interface DecisionDefinition extends Definition {
  /** Every decision of the model, in document order. */
  decisions: { id: string; name: string }[];
}

export type InstanceState = 'active' | 'completed' | 'cancelled' | 'incident';
export const INSTANCE_STATES: readonly InstanceState[] = ['active', 'completed', 'cancelled', 'incident'];

export interface Instance {
  id: string;
  definition_id: string;
  process_id: string;
  process_name: string | null;
  version: number;
  state: InstanceState;
  variables: Record<string, unknown>;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  started_by: string;
}

/** One entry of an instance's history (variable names only, never values). */
export interface HistoryEvent {
  seq: number;
  at: Timestamp;
  /** `elementActivated`, `elementCompleted`, `elementTerminated`, `jobCreated`, `incidentRaised`, … */
  kind: string;
  element_id: string | null;
  detail: unknown;
}

export type IncidentState = 'open' | 'resolved';

/** A step stuck until an operator resolves it. */
export interface Incident {
  key: number;
  instance_id: string;
  element_id: string;
  job_key: number | null;
  /** `jobNoRetries`, `expression`, `conditionNotMet`, `unhandledError`, … */
  kind: string;
  message: string;
  state: IncidentState | (string & {});
  created_at: Timestamp;
  resolved_at: Timestamp | null;
}

export interface IncidentQuery {
  state?: IncidentState | '';
  limit?: number;
  /** Only the incidents of this instance id. */
  instance?: string;
}

export interface CommandOutcome {
  outcome: 'applied' | 'already-done' | (string & {});
}

/** An open user task (GET /api/tasks). */
export interface UserTask {
  key: number;
  instance_id: string;
  definition_id: string;
  process_id: string;
  element_id: string;
  /** Who works it: the user who claimed it, else the modelled assignee. */
  assignee: string | null;
  claimed: boolean;
  candidate_groups: string[];
  /** A linked form id, or `camunda-forms:bpmn:{id}` for a form embedded in the process. */
  form_key: string | null;
  variables: Record<string, unknown>;
  custom_headers: Record<string, unknown>;
  created_at: Timestamp;
}

export interface TaskQuery {
  /** `me` or a user name. */
  assignee?: string;
  candidateGroup?: string;
  unassigned?: boolean;
  limit?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface InstanceQuery {
  process_id?: string;
  state?: InstanceState | '';
  limit?: number;
  offset?: number;
  /** Only this definition version. */
  version?: number;
  /** Started at or after / before these RFC 3339 times. */
  started_from?: Timestamp;
  started_before?: Timestamp;
  /** Only instances whose variable `variable` has `value` (JSON, else a string). */
  variable?: string;
  value?: string;
  /** Keyset paging: the `next` of the page before (replaces `offset`). */
  after?: string;
}

/** GET /api/instances: a page, its count up to 1,000 and the next page's cursor. */
export interface InstancePage extends Page<Instance> {
  /** More than 1,000 match: `total` is 1,000, shown as "1,000+". */
  total_capped: boolean;
  next: string | null;
}

export interface StartInstanceRequest {
  definition_id?: string;
  process_id?: string;
  variables?: Record<string, unknown>;
}

export interface NewUser {
  username: string;
  password: string;
  role: Role;
}

export interface ApiToken {
  id: string;
  name: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface NewApiToken {
  name: string;
  expires_in_days?: number;
}

export interface CreatedApiToken {
  token: ApiToken;
  /** `fd_…`, shown to the user exactly once. */
  secret: string;
}

export interface AuditEntry {
  seq: number;
  at: Timestamp;
  actor: string;
  action: string;
  resource: string;
  detail: unknown;
  hash: string;
}

/** One entry of the `problems` extension (e.g. a BPMN validation finding). */
export interface ModelProblem {
  message: string;
  element_id?: string | null;
  line?: number;
  column?: number;
}

// ---------------------------------------------------------------- analytics (docs/REPORTS.md)

/** Milliseconds since the Unix epoch, UTC (the analytics API's time unit). */
export type Millis = number;

/** How far the read model has folded history (GET /api/insights/status). */
export interface ReadModelStatus {
  high_water: number;
  history_head: number;
  awaited_gaps: number;
  /** The numbers include everything that happened up to this time. */
  as_of: Millis;
}

/** A process version seen in history (GET /api/insights/processes). */
export interface ProcessVersion {
  process_id: string;
  version: number;
  instances: number;
}

export type TileKind = 'kpi' | 'series' | 'bar' | 'pie' | 'heatmap' | 'table';
export type TileMetric =
  | 'started'
  | 'completed'
  | 'cancelled'
  | 'incidents'
  | 'active'
  | 'duration_p50'
  | 'duration_p90'
  | 'duration_p99'
  | 'throughput'
  | 'backlog'
  | 'user_task_wait';

/** One tile of a dashboard. */
export interface DashboardTile {
  id: string;
  title: string;
  kind: TileKind;
  metric: TileMetric;
  /** Only this process (else the dashboard's filter). */
  process_id?: string;
  /** Grid columns it spans. */
  width?: 1 | 2 | 3;
}

/** The filters a dashboard is saved with. */
export interface DashboardFilters {
  process_id?: string;
  version?: number;
  from?: Millis;
  to?: Millis;
  variable?: { name: string; value: string | number | boolean };
}

export interface DashboardDefinition {
  filters: DashboardFilters;
  /** Reload the tiles this often (none: on demand). */
  refresh_seconds?: number;
  tiles: DashboardTile[];
}

/** A dashboard in the list (GET /api/dashboards). */
export interface DashboardSummary {
  id: string;
  name: string;
  description: string;
  /** Roles it is shared with. */
  roles: string[];
  updated_at: Millis;
}

export interface Dashboard extends DashboardSummary {
  definition: DashboardDefinition;
  created_by: string;
  created_at: Millis;
}

export interface NewDashboard {
  name: string;
  description: string;
  roles: string[];
  definition: DashboardDefinition;
}

/** The filters of one tile request (override the dashboard's). */
export interface TileQuery {
  process_id?: string;
  version?: number;
  from?: Millis;
  to?: Millis;
  /** Only instances whose process variable of this name has `value`. */
  variable?: string;
  /** The variable's value as JSON text (`"gold"`, `42`, `true`). */
  value?: string;
}

export interface KpiData {
  value: number | null;
  previous?: number | null;
}
export interface SeriesData {
  points: { t: Millis; value: number | null }[];
}
export interface ItemsData {
  items: { label: string; value: number }[];
}
export interface HeatmapElement {
  element_id: string;
  count: number;
  mean_ms: number | null;
  p90_ms: number | null;
}
export interface HeatmapData {
  process_id: string;
  version: number;
  elements: HeatmapElement[];
}
export interface TableData {
  columns: string[];
  rows: unknown[][];
}
export type TileData = KpiData | SeriesData | ItemsData | HeatmapData | TableData;

export type ReportSource = 'kpis' | 'daily' | 'hourly' | 'elements' | 'sql';
export type ReportChartKind = 'line' | 'bar';

export interface ReportChart {
  kind: ReportChartKind;
  x: string;
  y: string[];
}

/** What a report shows: source, default parameters, columns, chart. */
export interface ReportDefinition {
  source: ReportSource;
  /** With source `sql`: one SELECT over `insights_*` tables; `$name` is a parameter. */
  sql?: string;
  /** `process_id`, `version`, `from`, `to` (ms) as strings; for `sql` the query's `$name`s. */
  parameters: Record<string, string>;
  /** Empty: every column of the source. */
  columns: string[];
  chart: ReportChart | null;
  /** A cron expression (five fields, UTC): the report also runs by itself then. */
  schedule?: string;
}

export interface Report {
  id: string;
  name: string;
  description: string;
  definition: ReportDefinition;
  /** Roles whose users may read it (besides holders of report:manage). */
  roles: string[];
  created_by: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface NewReport {
  name: string;
  description: string;
  roles: string[];
  definition: ReportDefinition;
}

/** One kept run of a report. */
export interface ReportRun {
  id: string;
  report: Report;
  parameters: Record<string, string>;
  as_of: Millis;
  ran_by: string;
  ran_at: Millis;
  result: TableData;
}

export type ExportFormat = 'pdf' | 'png' | 'svg' | 'csv' | 'xlsx' | 'json';

// ---------------------------------------------------------------- errors

const PROBLEM_BASE = 'https://flowdesk.dev/problems/';

/** An RFC 9457 problem+json answer (or a network failure, status 0). */
export class ApiProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly problems: ModelProblem[];
  /** Seconds from a `Retry-After` header (429 lockouts), null without one. */
  readonly retryAfter: number | null;

  constructor(init: {
    status: number;
    type?: string;
    title?: string;
    detail?: string;
    problems?: ModelProblem[];
    retryAfter?: number | null;
  }) {
    const title = init.title ?? `Request failed (${init.status})`;
    super(init.detail ? `${title}: ${init.detail}` : title);
    this.name = 'ApiProblem';
    this.status = init.status;
    this.type = init.type ?? 'about:blank';
    this.title = title;
    this.detail = init.detail;
    this.problems = init.problems ?? [];
    this.retryAfter = init.retryAfter ?? null;
  }

  /** The stable suffix of `type`, e.g. `invalid-model`. */
  get kind(): string {
    return this.type.startsWith(PROBLEM_BASE) ? this.type.slice(PROBLEM_BASE.length) : this.type;
  }

  /** One line for a toast or an inline error. */
  get userMessage(): string {
    return this.detail ? `${this.title} — ${this.detail}` : this.title;
  }
}

/** Turns any thrown value into a message a user can read. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiProblem) return error.userMessage;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Builds an ApiProblem from an error response (problem+json or anything else). */
export async function parseProblem(response: Response): Promise<ApiProblem> {
  const text = await response.text().catch(() => '');
  let body: Record<string, unknown> | null = null;
  if (text) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        body = parsed as Record<string, unknown>;
      }
    } catch {
      body = null;
    }
  }
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const problems = Array.isArray(body?.problems)
    ? (body.problems as unknown[]).filter((p): p is ModelProblem => !!p && typeof p === 'object')
    : [];
  return new ApiProblem({
    status: typeof body?.status === 'number' ? body.status : response.status,
    type: str(body?.type),
    title: str(body?.title) ?? (response.statusText || `HTTP ${response.status}`),
    detail: str(body?.detail) ?? (body ? undefined : text.trim().slice(0, 300) || undefined),
    problems,
    retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
  });
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

// ---------------------------------------------------------------- base URL

/** True inside the Tauri desktop webview. */
export function isDesktop(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/**
 * '' in the browser (same origin as `flowdesk serve`); on the desktop the
 * `flowdesk` URI scheme: `flowdesk://localhost` on Linux/macOS,
 * `http://flowdesk.localhost` on Windows.
 */
export function apiBase(): string {
  if (!isDesktop()) return '';
  return convertFileSrc('', 'flowdesk').replace(/\/+$/, '');
}

// ---------------------------------------------------------------- 401 handling

type UnauthorizedHandler = () => void;

function defaultUnauthorized(): void {
  const hash = window.location.hash;
  if (!hash.startsWith('#/login') && !hash.startsWith('#/setup')) {
    window.location.hash = '#/login';
  }
}

let unauthorizedHandler: UnauthorizedHandler = defaultUnauthorized;

/** Replaces what happens on a 401 (the session store clears the user first). */
export function onUnauthorized(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler ?? defaultUnauthorized;
}

/** Problem kind of the 403 a user gets while their role requires a second factor they lack. */
export const MFA_ENROLMENT_REQUIRED = 'mfa-enrolment-required';

let mfaEnrolmentHandler: (() => void) | null = null;

/** Sets what happens on a 403 `mfa-enrolment-required` (the session store routes to #/account). */
export function onMfaEnrolmentRequired(handler: (() => void) | null): void {
  mfaEnrolmentHandler = handler;
}

// ---------------------------------------------------------------- request

type Query = Record<string, string | number | undefined | null>;

interface RequestOptions {
  query?: Query;
  /** Serialized as JSON. */
  json?: unknown;
  /** Sent as-is with `contentType`. */
  body?: string;
  contentType?: string;
  /** Response handling; defaults to 'json' (204 gives undefined). */
  as?: 'json' | 'text' | 'none';
  /** False for login/setup, where 401 means "wrong password", not "signed out". */
  redirectOn401?: boolean;
}

/** The URL of an API path with its query (empty values left out). */
export function buildUrl(path: string, query?: Query): string {
  let url = apiBase() + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }
  return url;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    headers['Content-Type'] = options.contentType ?? 'text/plain';
    body = options.body;
  }

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'include',
    });
  } catch (cause) {
    throw new ApiProblem({
      status: 0,
      type: 'network',
      title: 'Cannot reach the Flowdesk server',
      detail: cause instanceof Error ? cause.message : undefined,
    });
  }

  if (!response.ok) {
    const problem = await parseProblem(response);
    if (response.status === 401 && options.redirectOn401 !== false) unauthorizedHandler();
    if (response.status === 403 && problem.kind === MFA_ENROLMENT_REQUIRED) mfaEnrolmentHandler?.();
    throw problem;
  }

  const as = options.as ?? 'json';
  if (as === 'none' || response.status === 204) return undefined as T;
  if (as === 'text') return (await response.text()) as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

// ---------------------------------------------------------------- endpoints

export const api = {
  // authentication
  setupStatus: () => request<SetupStatus>('GET', '/api/auth/setup', { redirectOn401: false }),
  setup: (credentials: Credentials) =>
    request<User>('POST', '/api/auth/setup', { json: credentials, redirectOn401: false }),
  /** 200 gives the user; 202 gives an MfaChallenge (a pending session awaits `loginMfa`). */
  login: (credentials: Credentials) =>
    request<User | MfaChallenge>('POST', '/api/auth/login', { json: credentials, redirectOn401: false }),
  /** Second sign-in step: a TOTP code or one of the recovery codes. */
  loginMfa: (code: string) =>
    request<User>('POST', '/api/auth/login/mfa', { json: { code }, redirectOn401: false }),
  logout: () => request<void>('POST', '/api/auth/logout', { as: 'none', redirectOn401: false }),
  me: () => request<CurrentUser>('GET', '/api/auth/me'),
  startTotpEnrolment: () => request<TotpEnrolment>('POST', '/api/auth/mfa/totp'),
  /** Finishes enrolment with a code from the app; answers the recovery codes, shown once. */
  confirmTotpEnrolment: (code: string) =>
    request<{ recovery_codes: string[] }>('POST', '/api/auth/mfa/totp/confirm', {
      json: { code },
      redirectOn401: false,
    }),
  /** Passwordless sign-in, step 1: options for navigator.credentials.get. */
  passkeySignInOptions: () =>
    request<PasskeyChallenge>('POST', '/api/auth/passkeys/sign-in/options', { redirectOn401: false }),
  /** Passwordless sign-in, step 2: the browser's assertion; sets the session cookie. */
  passkeySignIn: (answer: PasskeyAnswer) =>
    request<User>('POST', '/api/auth/passkeys/sign-in', { json: answer, redirectOn401: false }),
  /** Second sign-in step with a passkey (after the password): options for navigator.credentials.get. */
  passkeySecondFactorOptions: () =>
    request<PasskeyChallenge>('POST', '/api/auth/passkeys/second-factor/options', { redirectOn401: false }),
  passkeySecondFactor: (answer: PasskeyAnswer) =>
    request<User>('POST', '/api/auth/passkeys/second-factor', { json: answer, redirectOn401: false }),
  listPasskeys: () => request<Passkey[]>('GET', '/api/account/passkeys'),
  /** Registration, step 1: options for navigator.credentials.create. */
  passkeyRegistrationOptions: () => request<PasskeyChallenge>('POST', '/api/account/passkeys/options'),
  /** Registration, step 2: the browser's new credential and a name; a refused one is a 401 here, not a sign-out. */
  registerPasskey: (registration: PasskeyAnswer & { name: string }) =>
    request<Passkey>('POST', '/api/account/passkeys', { json: registration, redirectOn401: false }),
  deletePasskey: (id: string) =>
    request<void>('DELETE', `/api/account/passkeys/${encodeURIComponent(id)}`, { as: 'none' }),
  listSessions: () => request<SessionInfo[]>('GET', '/api/auth/sessions'),
  revokeSession: (id: string) =>
    request<void>('DELETE', `/api/auth/sessions/${encodeURIComponent(id)}`, { as: 'none' }),
  /** Ends every other session of the caller. A wrong current password is a 401 here, not a sign-out. */
  changePassword: (change: PasswordChange) =>
    request<void>('POST', '/api/auth/password', { json: change, as: 'none', redirectOn401: false }),

  // definitions
  listDefinitions: () => request<Definition[]>('GET', '/api/definitions'),
  getDefinition: (id: string) => request<Definition>('GET', `/api/definitions/${encodeURIComponent(id)}`),
  getDefinitionXml: (id: string) =>
    request<string>('GET', `/api/definitions/${encodeURIComponent(id)}/xml`, { as: 'text' }),
  /** Deploys a BPMN file: the raw XML is the body, the file name a query parameter. */
  deployDefinition: (fileName: string, xml: string) =>
    request<Definition[]>('POST', '/api/definitions', {
      query: { name: fileName },
      body: xml,
      contentType: 'application/xml',
    }),

  /** Every DMN definition version with its decisions, newest deployment first. */
  listDecisions: () => request<DecisionDefinition[]>('GET', '/api/decisions'),
  /** Deploys a DMN file: a new version of the model keyed by its first decision (unchanged content keeps its version). */
  deployDecisions: (fileName: string, xml: string) =>
    request<DecisionDefinition>('POST', '/api/decisions', {
      query: { name: fileName },
      body: xml,
      contentType: 'application/xml',
    }),
  /** Deploys a form-js schema (a `.form` file name) as a version of the form its `id` names. */
  deployForm: (fileName: string, schema: Record<string, unknown>) =>
    request<Definition[]>('POST', '/api/definitions', {
      query: { name: fileName },
      body: JSON.stringify(schema, null, 2),
      contentType: 'application/json',
    }),

  // instances
  listInstances: (query: InstanceQuery = {}) =>
    request<InstancePage>('GET', '/api/instances', { query: { ...query } }),
  getInstance: (id: string) => request<Instance>('GET', `/api/instances/${encodeURIComponent(id)}`),
  startInstance: (start: StartInstanceRequest) => request<Instance>('POST', '/api/instances', { json: start }),
  instanceHistory: (id: string) =>
    request<HistoryEvent[]>('GET', `/api/instances/${encodeURIComponent(id)}/history`),
  cancelInstance: (id: string) =>
    request<Instance>('POST', `/api/instances/${encodeURIComponent(id)}/cancel`),
  /** Sets variables of a running instance (each lands where it exists, else at the process). */
  setInstanceVariables: (id: string, variables: Record<string, unknown>) =>
    request<Instance>('PUT', `/api/instances/${encodeURIComponent(id)}/variables`, { json: { variables } }),

  // incidents
  listIncidents: (query: IncidentQuery = {}) =>
    request<Incident[]>('GET', '/api/incidents', { query: { ...query } }),
  resolveIncident: (key: number) =>
    request<CommandOutcome>('POST', `/api/incidents/${encodeURIComponent(String(key))}/resolve`),

  // tasklist
  listTasks: (query: TaskQuery = {}) =>
    request<UserTask[]>('GET', '/api/tasks', {
      query: { ...query, unassigned: query.unassigned ? 'true' : undefined },
    }),
  claimTask: (key: number) => request<UserTask>('POST', `/api/tasks/${encodeURIComponent(String(key))}/claim`),
  unclaimTask: (key: number) =>
    request<UserTask>('POST', `/api/tasks/${encodeURIComponent(String(key))}/unclaim`),
  completeTask: (key: number, variables: Record<string, unknown>) =>
    request<CommandOutcome>('POST', `/api/tasks/${encodeURIComponent(String(key))}/complete`, {
      json: { variables },
    }),

  // users
  listUsers: () => request<User[]>('GET', '/api/users'),
  createUser: (user: NewUser) => request<User>('POST', '/api/users', { json: user }),
  resetPasskeys: (userId: string) =>
    request<void>('DELETE', `/api/users/${encodeURIComponent(userId)}/passkeys`, { as: 'none' }),

  // per-resource permissions of a role
  listGrants: (role: string) =>
    request<ResourceGrant[]>('GET', `/api/roles/${encodeURIComponent(role)}/grants`),
  addGrant: (role: string, grant: NewResourceGrant) =>
    request<ResourceGrant>('POST', `/api/roles/${encodeURIComponent(role)}/grants`, { json: grant }),
  revokeGrant: (role: string, id: string) =>
    request<void>('DELETE', `/api/roles/${encodeURIComponent(role)}/grants/${encodeURIComponent(id)}`, {
      as: 'none',
    }),

  // API tokens of the signed-in user
  listTokens: () => request<ApiToken[]>('GET', '/api/tokens'),
  createToken: (token: NewApiToken) => request<CreatedApiToken>('POST', '/api/tokens', { json: token }),
  revokeToken: (id: string) =>
    request<void>('DELETE', `/api/tokens/${encodeURIComponent(id)}`, { as: 'none' }),

  // audit
  listAudit: (query: { limit?: number; offset?: number } = {}) =>
    request<Page<AuditEntry>>('GET', '/api/audit', { query: { ...query } }),

  // analytics: read model, dashboards, reports
  insightsStatus: () => request<ReadModelStatus>('GET', '/api/insights/status'),
  insightsProcesses: () => request<ProcessVersion[]>('GET', '/api/insights/processes'),
  listDashboards: () => request<DashboardSummary[]>('GET', '/api/dashboards'),
  getDashboard: (id: string) => request<Dashboard>('GET', `/api/dashboards/${encodeURIComponent(id)}`),
  createDashboard: (dashboard: NewDashboard) => request<Dashboard>('POST', '/api/dashboards', { json: dashboard }),
  updateDashboard: (id: string, dashboard: NewDashboard) =>
    request<Dashboard>('PUT', `/api/dashboards/${encodeURIComponent(id)}`, { json: dashboard }),
  deleteDashboard: (id: string) =>
    request<void>('DELETE', `/api/dashboards/${encodeURIComponent(id)}`, { as: 'none' }),
  /** A tile's data as JSON; its shape follows the tile's kind. */
  tileData: (dashboardId: string, tileId: string, query: TileQuery = {}) =>
    request<TileData>(
      'GET',
      `/api/dashboards/${encodeURIComponent(dashboardId)}/tiles/${encodeURIComponent(tileId)}`,
      { query: { ...query } },
    ),
  /** A tile's chart as SVG text, drawn by the server like a report export. */
  tileChartSvg: (dashboardId: string, tileId: string, query: TileQuery = {}) =>
    request<string>(
      'GET',
      `/api/dashboards/${encodeURIComponent(dashboardId)}/tiles/${encodeURIComponent(tileId)}/chart`,
      { query: { ...query, format: 'svg' }, as: 'text' },
    ),
  listReports: () => request<Report[]>('GET', '/api/reports'),
  getReport: (id: string) => request<Report>('GET', `/api/reports/${encodeURIComponent(id)}`),
  createReport: (report: NewReport) => request<Report>('POST', '/api/reports', { json: report }),
  updateReport: (id: string, report: NewReport) =>
    request<Report>('PUT', `/api/reports/${encodeURIComponent(id)}`, { json: report }),
  deleteReport: (id: string) => request<void>('DELETE', `/api/reports/${encodeURIComponent(id)}`, { as: 'none' }),
  /** Runs a report now with `parameters` over its defaults; the run is kept. */
  runReport: (id: string, parameters: Record<string, string> = {}) =>
    request<ReportRun>('POST', `/api/reports/${encodeURIComponent(id)}/run`, { json: { parameters } }),
  listReportRuns: (id: string) => request<ReportRun[]>('GET', `/api/reports/${encodeURIComponent(id)}/runs`),
  /** A run's chart as SVG text (the same drawing as the PNG and PDF exports). */
  reportRunSvg: (id: string, runId: string) =>
    request<string>('GET', `/api/reports/${encodeURIComponent(id)}/runs/${encodeURIComponent(runId)}/download`, {
      query: { format: 'svg' },
      as: 'text',
    }),
};

/** Whether the user holds a permission (admins hold all). */
export function can(user: CurrentUser | null | undefined, permission: Permission): boolean {
  if (!user) return false;
  return user.role === 'admin' || user.permissions.includes(permission);
}

/** Where a run's export downloads from (a link the browser follows with its session cookie). */
export function reportDownloadUrl(reportId: string, runId: string, format: ExportFormat): string {
  return buildUrl(
    `/api/reports/${encodeURIComponent(reportId)}/runs/${encodeURIComponent(runId)}/download`,
    { format },
  );
}
