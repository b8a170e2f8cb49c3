import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  assertionJson,
  creationOptions,
  fromBase64Url,
  passkeyFailure,
  passkeySecondFactor,
  passkeySignIn,
  registerPasskey,
  registrationJson,
  requestOptions,
  toBase64Url,
  type CredentialsContainerLike,
} from './passkeys';
import { api, ApiProblem } from './api';
import { LoginFlow, type LoginBackend } from './login.svelte';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const problem = (kind: string, status: number) =>
  json({ type: `https://flowdesk.dev/problems/${kind}`, title: kind, status, detail: `${kind} detail` }, status);

/** Routes fetch by method and path; records what was sent. */
function respond(routes: Record<string, () => Response>) {
  const sent: { route: string; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const route = `${init?.method ?? 'GET'} ${String(input).split('?')[0]}`;
      sent.push({ route, body: init?.body ? JSON.parse(String(init.body)) : undefined });
      const handler = routes[route];
      return handler ? handler() : new Response(null, { status: 404 });
    }),
  );
  return sent;
}

const bytes = (...values: number[]) => new Uint8Array(values);

/** A stand-in for the PublicKeyCredential a browser returns. */
function fakeCredential(response: Record<string, unknown>): PublicKeyCredential {
  return {
    id: 'AQID',
    rawId: bytes(1, 2, 3).buffer,
    type: 'public-key',
    response,
    getClientExtensionResults: () => ({ credProps: { rk: true } }),
  } as unknown as PublicKeyCredential;
}

const attestation = () =>
  fakeCredential({
    attestationObject: bytes(0xa3, 0x63).buffer,
    clientDataJSON: new TextEncoder().encode('{"type":"webauthn.create"}').buffer,
    getTransports: () => ['internal'],
  });

const assertion = (userHandle: ArrayBuffer | null) =>
  fakeCredential({
    authenticatorData: bytes(0x49, 0x96).buffer,
    clientDataJSON: new TextEncoder().encode('{"type":"webauthn.get"}').buffer,
    signature: bytes(0x30, 0x45, 0xff).buffer,
    userHandle,
  });

const creation = {
  publicKey: {
    rp: { id: 'localhost', name: 'Flowdesk' },
    user: { id: 'AZNC6KZ7dCKfDqsd0MgL2A', name: 'ada', displayName: 'ada' },
    challenge: 'q83v_-A',
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    excludeCredentials: [{ type: 'public-key', id: 'AQID', transports: ['usb'] }],
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  },
};

const request = {
  publicKey: {
    challenge: '_-8',
    rpId: 'localhost',
    allowCredentials: [{ type: 'public-key', id: 'BAUG' }],
    userVerification: 'required',
  },
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('base64url', () => {
  it('round-trips bytes without padding, in the URL alphabet', () => {
    const data = bytes(0xfb, 0xff, 0xfe, 0x00, 0x10);
    const text = toBase64Url(data);
    expect(text).toBe('-__-ABA');
    expect(Array.from(fromBase64Url(text))).toEqual(Array.from(data));
    expect(Array.from(fromBase64Url('-__-ABA='))).toEqual(Array.from(data));
    expect(toBase64Url(data.buffer)).toBe(text);
  });

  it('names the field of a value that is not base64url', () => {
    expect(() => fromBase64Url('not base64!', 'challenge')).toThrow('challenge is not base64url');
  });
});

describe('options for the browser', () => {
  it('turns the registration options binary fields into bytes and keeps the rest', () => {
    const options = creationOptions(creation).publicKey!;
    expect(Array.from(new Uint8Array(options.challenge as ArrayBuffer))).toEqual([0xab, 0xcd, 0xef, 0xff, 0xe0]);
    expect((options.user.id as Uint8Array).byteLength).toBe(16);
    expect(options.user.name).toBe('ada');
    expect(Array.from(options.excludeCredentials![0].id as Uint8Array)).toEqual([1, 2, 3]);
    expect(options.excludeCredentials![0].transports).toEqual(['usb']);
    expect(options.authenticatorSelection?.residentKey).toBe('required');
    expect(options.rp.id).toBe('localhost');
  });

  it('turns the sign-in options binary fields into bytes', () => {
    const options = requestOptions(request).publicKey!;
    expect(Array.from(new Uint8Array(options.challenge as ArrayBuffer))).toEqual([0xff, 0xef]);
    expect(Array.from(options.allowCredentials![0].id as Uint8Array)).toEqual([4, 5, 6]);
    expect(options.userVerification).toBe('required');
    expect(requestOptions({ publicKey: { challenge: 'AA' } }).publicKey!.allowCredentials).toBeUndefined();
  });

  it('refuses options without publicKey', () => {
    expect(() => requestOptions({})).toThrow('publicKey');
  });
});

describe('credentials for the server', () => {
  it('encodes a new credential with its transports and extension results', () => {
    expect(registrationJson(attestation())).toEqual({
      id: 'AQID',
      rawId: 'AQID',
      type: 'public-key',
      response: {
        attestationObject: 'o2M',
        clientDataJSON: toBase64Url(new TextEncoder().encode('{"type":"webauthn.create"}')),
        transports: ['internal'],
      },
      extensions: { credProps: { rk: true } },
    });
  });

  it('encodes an assertion, with or without a user handle', () => {
    const encoded = assertionJson(assertion(bytes(9, 9).buffer));
    expect(encoded.response).toMatchObject({ authenticatorData: 'SZY', signature: 'MEX_', userHandle: 'CQk' });
    expect((assertionJson(assertion(null)).response as { userHandle: unknown }).userHandle).toBeNull();
  });
});

describe('ceremonies', () => {
  it('registers: options, the browser prompt, then the credential with its name and challenge id', async () => {
    const sent = respond({
      'POST /api/account/passkeys/options': () => json({ challenge_id: 'c1', options: creation }),
      'POST /api/account/passkeys': () =>
        json({ id: 'p1', name: 'Laptop', created_at: '2026-01-01T00:00:00Z', last_used_at: null }, 201),
    });
    const browser: CredentialsContainerLike = {
      create: vi.fn(async () => attestation()),
      get: vi.fn(),
    };
    const added = await registerPasskey('Laptop', browser);
    expect(added.id).toBe('p1');
    const given = vi.mocked(browser.create).mock.calls[0][0];
    expect(given.publicKey!.challenge).toBeInstanceOf(Uint8Array);
    expect(sent.map((s) => s.route)).toEqual(['POST /api/account/passkeys/options', 'POST /api/account/passkeys']);
    expect(sent[1].body).toMatchObject({ challenge_id: 'c1', name: 'Laptop', credential: { rawId: 'AQID' } });
  });

  it('signs in without a password, and as the second step', async () => {
    const sent = respond({
      'POST /api/auth/passkeys/sign-in/options': () => json({ challenge_id: 's1', options: request }),
      'POST /api/auth/passkeys/sign-in': () => json({ id: 'u1', username: 'ada' }),
      'POST /api/auth/passkeys/second-factor/options': () => json({ challenge_id: 's2', options: request }),
      'POST /api/auth/passkeys/second-factor': () => json({ id: 'u1', username: 'ada' }),
    });
    const browser: CredentialsContainerLike = { create: vi.fn(), get: vi.fn(async () => assertion(bytes(1).buffer)) };
    await passkeySignIn(browser);
    await passkeySecondFactor(browser);
    expect(sent[1]).toMatchObject({ route: 'POST /api/auth/passkeys/sign-in', body: { challenge_id: 's1' } });
    expect(sent[3]).toMatchObject({ route: 'POST /api/auth/passkeys/second-factor', body: { challenge_id: 's2' } });
  });

  it('stops when the browser gives no credential', async () => {
    respond({ 'POST /api/auth/passkeys/sign-in/options': () => json({ challenge_id: 's1', options: request }) });
    const browser: CredentialsContainerLike = { create: vi.fn(), get: vi.fn(async () => null) };
    await expect(passkeySignIn(browser)).rejects.toThrow('no passkey');
  });

  it('passes a refused passkey on as the server problem', async () => {
    respond({ 'POST /api/auth/passkeys/sign-in': () => problem('unauthenticated', 401) });
    await expect(api.passkeySignIn({ challenge_id: 'x', credential: {} })).rejects.toBeInstanceOf(ApiProblem);
  });
});

describe('messages', () => {
  it('explains a closed prompt, a duplicate authenticator and an IP address', () => {
    expect(passkeyFailure(new DOMException('x', 'NotAllowedError'))).toContain('closed or timed out');
    expect(passkeyFailure(new DOMException('x', 'InvalidStateError'))).toContain('already holds');
    expect(passkeyFailure(new DOMException('x', 'SecurityError'))).toContain('not an IP address');
    expect(passkeyFailure(new Error('other'))).toBeNull();
  });
});

describe('the login flow with passkeys', () => {
  function backend(overrides: Partial<LoginBackend> = {}): LoginBackend {
    return {
      login: vi.fn(async () => 'mfa-required' as const),
      loginMfa: vi.fn(async () => undefined),
      secondFactors: ['passkey'],
      loginPasskey: vi.fn(async () => undefined),
      signInWithPasskey: vi.fn(async () => undefined),
      ...overrides,
    };
  }

  it('offers the passkey as the second step when the account has one', async () => {
    const flow = new LoginFlow(backend());
    expect(await flow.submitPassword('ada', 'a long password')).toBe(false);
    expect(flow.step).toBe('code');
    expect(flow.secondFactors).toEqual(['passkey']);
    expect(await flow.submitPasskey()).toBe(true);
  });

  it('says so when a passkey is refused or the prompt is closed', async () => {
    const refused = new LoginFlow(
      backend({
        signInWithPasskey: vi.fn(async () => {
          throw new ApiProblem({ status: 401, type: 'unauthenticated', title: 'Not signed in' });
        }),
      }),
    );
    expect(await refused.signInWithPasskey()).toBe(false);
    expect(refused.error).toContain('not registered here');
    const closed = new LoginFlow(
      backend({
        signInWithPasskey: vi.fn(async () => {
          throw new DOMException('cancelled', 'NotAllowedError');
        }),
      }),
    );
    expect(await closed.signInWithPasskey()).toBe(false);
    expect(closed.error).toContain('closed or timed out');
  });
});
