import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  api,
  ApiProblem,
  isMfaChallenge,
  onMfaEnrolmentRequired,
  onUnauthorized,
  parseRetryAfter,
  type SessionInfo,
} from './api';

function respond(response: () => Response) {
  const fn = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => response());
  vi.stubGlobal('fetch', fn);
  return fn;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

const problem = (kind: string, status: number, headers: Record<string, string> = {}) =>
  json({ type: `https://flowdesk.dev/problems/${kind}`, title: kind, status }, status, headers);

const user = { id: 'u1', username: 'ada', role: 'admin', created_at: '2026-01-01T00:00:00Z' };

afterEach(() => {
  vi.unstubAllGlobals();
  onUnauthorized(null);
  onMfaEnrolmentRequired(null);
  window.location.hash = '';
});

describe('two-step sign-in', () => {
  it('tells a 202 challenge from a signed-in user', async () => {
    respond(() => json({ mfa_required: true }, 202));
    const answer = await api.login({ username: 'ada', password: 'correct horse battery' });
    expect(isMfaChallenge(answer)).toBe(true);

    respond(() => json(user));
    const signedIn = await api.login({ username: 'ada', password: 'correct horse battery' });
    expect(isMfaChallenge(signedIn)).toBe(false);
    expect(signedIn).toEqual(user);
  });

  it('posts the code to /api/auth/login/mfa', async () => {
    const fetch = respond(() => json(user));
    await expect(api.loginMfa('123456')).resolves.toEqual(user);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/auth/login/mfa');
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual({ code: '123456' });
  });

  it('does not treat a wrong code as a sign-out', async () => {
    const unauthorized = vi.fn();
    onUnauthorized(unauthorized);
    respond(() => problem('unauthenticated', 401));
    await expect(api.loginMfa('000000')).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).not.toHaveBeenCalled();
  });

  it('carries the lockout wait from Retry-After', async () => {
    respond(() => problem('too-many-attempts', 429, { 'Retry-After': '90' }));
    const error = (await api.login({ username: 'ada', password: 'x' }).catch((e: unknown) => e)) as ApiProblem;
    expect(error).toBeInstanceOf(ApiProblem);
    expect(error.kind).toBe('too-many-attempts');
    expect(error.retryAfter).toBe(90);
  });

  it('has no wait without a Retry-After header', async () => {
    respond(() => problem('too-many-attempts', 429));
    const error = (await api.login({ username: 'ada', password: 'x' }).catch((e: unknown) => e)) as ApiProblem;
    expect(error.retryAfter).toBeNull();
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('30')).toBe(30);
    expect(parseRetryAfter(' 5 ')).toBe(5);
    const now = Date.parse('2026-11-28T12:00:00Z');
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:02:00 GMT', now)).toBe(120);
    expect(parseRetryAfter('Sat, 28 Nov 2026 11:59:00 GMT', now)).toBe(0);
  });

  it('is null when absent or unreadable', () => {
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('')).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('mfa-enrolment-required', () => {
  it('calls the registered handler on that 403 only', async () => {
    const handler = vi.fn();
    onMfaEnrolmentRequired(handler);
    respond(() => problem('forbidden', 403));
    await expect(api.listDefinitions()).rejects.toMatchObject({ status: 403 });
    expect(handler).not.toHaveBeenCalled();

    respond(() => problem('mfa-enrolment-required', 403));
    await expect(api.listDefinitions()).rejects.toMatchObject({ status: 403, kind: 'mfa-enrolment-required' });
    expect(handler).toHaveBeenCalledOnce();
  });
});

describe('TOTP enrolment', () => {
  it('starts and confirms with the documented shapes', async () => {
    const enrolment = { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/Flowdesk:ada', qr_code: 'data:image/svg+xml;base64,PHN2Zy8+' };
    let fetch = respond(() => json(enrolment, 201));
    await expect(api.startTotpEnrolment()).resolves.toEqual(enrolment);
    expect(fetch.mock.calls[0][0]).toBe('/api/auth/mfa/totp');
    expect(fetch.mock.calls[0][1]?.method).toBe('POST');

    const codes = Array.from({ length: 10 }, (_, i) => `code-${i}`);
    fetch = respond(() => json({ recovery_codes: codes }));
    await expect(api.confirmTotpEnrolment('654321')).resolves.toEqual({ recovery_codes: codes });
    expect(fetch.mock.calls[0][0]).toBe('/api/auth/mfa/totp/confirm');
    expect(JSON.parse(String(fetch.mock.calls[0][1]?.body))).toEqual({ code: '654321' });
  });

  it('keeps the session when the confirmation code is wrong', async () => {
    const unauthorized = vi.fn();
    onUnauthorized(unauthorized);
    respond(() => problem('unauthenticated', 401));
    await expect(api.confirmTotpEnrolment('000000')).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).not.toHaveBeenCalled();
  });
});

describe('own sessions and password', () => {
  it('lists and revokes sessions', async () => {
    const sessions: SessionInfo[] = [
      {
        id: 's/1',
        created_at: '2026-11-28T10:00:00Z',
        last_seen_at: '2026-11-28T12:00:00Z',
        expires_at: '2026-11-29T10:00:00Z',
        client: '127.0.0.1',
        current: true,
      },
    ];
    let fetch = respond(() => json(sessions));
    await expect(api.listSessions()).resolves.toEqual(sessions);
    expect(fetch.mock.calls[0][0]).toBe('/api/auth/sessions');

    fetch = respond(() => new Response(null, { status: 204 }));
    await expect(api.revokeSession('s/1')).resolves.toBeUndefined();
    expect(fetch.mock.calls[0][0]).toBe('/api/auth/sessions/s%2F1');
    expect(fetch.mock.calls[0][1]?.method).toBe('DELETE');
  });

  it('changes the password; a wrong current password is no sign-out', async () => {
    let fetch = respond(() => new Response(null, { status: 204 }));
    await api.changePassword({ current_password: 'old password 1', new_password: 'new password 12' });
    expect(fetch.mock.calls[0][0]).toBe('/api/auth/password');
    expect(JSON.parse(String(fetch.mock.calls[0][1]?.body))).toEqual({
      current_password: 'old password 1',
      new_password: 'new password 12',
    });

    const unauthorized = vi.fn();
    onUnauthorized(unauthorized);
    fetch = respond(() => problem('unauthenticated', 401));
    await expect(
      api.changePassword({ current_password: 'wrong', new_password: 'new password 12' }),
    ).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).not.toHaveBeenCalled();
  });
});
