import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatWait, lockoutMessage, LoginFlow } from './login.svelte';
import { session } from './session.svelte';
import { api, ApiProblem } from './api';

type Handler = (body: unknown) => Response;

/** Routes fetch by path; records the JSON bodies sent. */
function respond(routes: Record<string, Handler>) {
  const sent: { path: string; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const path = String(input).split('?')[0];
      const body: unknown = init?.body ? JSON.parse(String(init.body)) : undefined;
      sent.push({ path, body });
      const route = routes[path];
      return route ? route(body) : new Response(null, { status: 404 });
    }),
  );
  return sent;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const problem = (kind: string, status: number, headers: Record<string, string> = {}) =>
  json({ type: `https://flowdesk.dev/problems/${kind}`, title: kind, status }, status, headers);

const me = {
  id: 'u1',
  username: 'ada',
  role: 'admin',
  created_at: '2026-01-01T00:00:00Z',
  permissions: ['definition:read'],
};
const user = { id: 'u1', username: 'ada', role: 'admin', created_at: '2026-01-01T00:00:00Z' };

beforeEach(() => {
  window.location.hash = '#/login';
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('login flow', () => {
  it('signs in directly when the user has no second factor', async () => {
    respond({ '/api/auth/login': () => json(user), '/api/auth/me': () => json(me) });
    const flow = new LoginFlow();
    await expect(flow.submitPassword(' ada ', 'correct horse battery')).resolves.toBe(true);
    expect(flow.step).toBe('password');
    expect(flow.error).toBeNull();
    expect(session.status).toBe('signed-in');
  });

  it('asks for a code after a 202, then signs in with it', async () => {
    const sent = respond({
      '/api/auth/login': () => json({ mfa_required: true }, 202),
      '/api/auth/login/mfa': () => json(user),
      '/api/auth/me': () => json(me),
    });
    const flow = new LoginFlow();
    await expect(flow.submitPassword('ada', 'correct horse battery')).resolves.toBe(false);
    expect(flow.step).toBe('code');
    expect(flow.error).toBeNull();
    expect(sent.map((s) => s.path)).toEqual(['/api/auth/login']);

    await expect(flow.submitCode(' 123 456 ')).resolves.toBe(true);
    expect(sent[1]).toEqual({ path: '/api/auth/login/mfa', body: { code: '123456' } });
    expect(session.user?.username).toBe('ada');
  });

  it('explains a wrong code and stays on the code step', async () => {
    respond({
      '/api/auth/login': () => json({ mfa_required: true }, 202),
      '/api/auth/login/mfa': () => problem('unauthenticated', 401),
    });
    const flow = new LoginFlow();
    await flow.submitPassword('ada', 'correct horse battery');
    await expect(flow.submitCode('000000')).resolves.toBe(false);
    expect(flow.step).toBe('code');
    expect(flow.error).toMatch(/code is not correct/);
    expect(window.location.hash).toBe('#/login');
  });

  it('sends a recovery code as typed (trimmed) and words its error for recovery codes', async () => {
    const sent = respond({
      '/api/auth/login': () => json({ mfa_required: true }, 202),
      '/api/auth/login/mfa': () => problem('unauthenticated', 401),
    });
    const flow = new LoginFlow();
    await flow.submitPassword('ada', 'correct horse battery');
    flow.toggleRecoveryCode();
    expect(flow.useRecoveryCode).toBe(true);
    await flow.submitCode('  abcd-efgh ');
    expect(sent[1].body).toEqual({ code: 'abcd-efgh' });
    expect(flow.error).toMatch(/recovery code is not correct or was already used/);
    flow.toggleRecoveryCode();
    expect(flow.useRecoveryCode).toBe(false);
    expect(flow.error).toBeNull();
  });

  it('refuses empty input without calling the server', async () => {
    const sent = respond({});
    const flow = new LoginFlow();
    await expect(flow.submitPassword('  ', 'pw')).resolves.toBe(false);
    expect(flow.error).toBe('Enter your username and password.');
    flow.step = 'code';
    await flow.submitCode('   ');
    expect(flow.error).toMatch(/6-digit code/);
    expect(sent).toEqual([]);
  });

  it('shows a wrong password as such', async () => {
    respond({ '/api/auth/login': () => problem('unauthenticated', 401) });
    const flow = new LoginFlow();
    await flow.submitPassword('ada', 'wrong');
    expect(flow.error).toBe('The username or password is not correct.');
    expect(flow.step).toBe('password');
  });

  it('shows the lockout with the wait from Retry-After, on either step', async () => {
    respond({ '/api/auth/login': () => problem('too-many-attempts', 429, { 'Retry-After': '120' }) });
    const flow = new LoginFlow();
    await flow.submitPassword('ada', 'wrong');
    expect(flow.error).toBe('Too many failed attempts. Try again in 2 minutes.');

    respond({
      '/api/auth/login': () => json({ mfa_required: true }, 202),
      '/api/auth/login/mfa': () => problem('too-many-attempts', 429, { 'Retry-After': '1' }),
    });
    await flow.submitPassword('ada', 'correct horse battery');
    await flow.submitCode('111111');
    expect(flow.error).toBe('Too many failed attempts. Try again in 1 second.');
  });

  it('starts over from the code step', async () => {
    respond({ '/api/auth/login': () => json({ mfa_required: true }, 202) });
    const flow = new LoginFlow();
    await flow.submitPassword('ada', 'correct horse battery');
    flow.toggleRecoveryCode();
    flow.startOver();
    expect(flow.step).toBe('password');
    expect(flow.useRecoveryCode).toBe(false);
  });
});

describe('mfa-enrolment-required', () => {
  it('routes the signed-in user to the Security page and reopens after enrolment', async () => {
    respond({
      '/api/auth/login': () => json(user),
      '/api/auth/me': () => json(me),
      '/api/definitions': () => problem('mfa-enrolment-required', 403),
    });
    await session.login({ username: 'ada', password: 'correct horse battery' });
    window.location.hash = '#/designer';
    await expect(api.listDefinitions()).rejects.toBeInstanceOf(ApiProblem);
    expect(session.mfaEnrolmentRequired).toBe(true);
    expect(window.location.hash).toBe('#/account');
    session.mfaEnrolled();
    expect(session.mfaEnrolmentRequired).toBe(false);
  });
});

describe('lockout wording', () => {
  it('rounds the wait up to seconds or minutes', () => {
    expect(formatWait(0)).toBe('1 second');
    expect(formatWait(45)).toBe('45 seconds');
    expect(formatWait(60)).toBe('1 minute');
    expect(formatWait(61)).toBe('2 minutes');
  });

  it('falls back without Retry-After', () => {
    expect(lockoutMessage(new ApiProblem({ status: 429 }))).toBe(
      'Too many failed attempts. Wait a while, then try again.',
    );
  });
});
