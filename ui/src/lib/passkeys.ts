/**
 * Passkeys in the browser: the server's WebAuthn options (JSON, binary
 * fields as base64url) turned into what `navigator.credentials.create` and
 * `.get` take, and the credentials they give back turned into JSON for the
 * server. Written out rather than relying on `PublicKeyCredential.toJSON`,
 * which older browsers and webviews lack.
 */
import { api } from './api';

/** Options as the server sends them: `{ publicKey: … }` with base64url strings. */
export type JsonOptions = Record<string, unknown>;

/** Bytes as base64url without padding. */
export function toBase64Url(bytes: ArrayBuffer | ArrayBufferView): string {
  const view =
    bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url (or base64, padded or not) to bytes; throws naming `field` when it is not. */
export function fromBase64Url(text: string, field = 'value'): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_\-+/]*={0,2}$/.test(text)) {
    throw new Error(`${field} is not base64url`);
  }
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

interface JsonDescriptor {
  type: string;
  id: string;
  transports?: string[];
}

function descriptors(list: unknown, field: string): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list as JsonDescriptor[]).map((d, i) => ({
    type: 'public-key',
    id: fromBase64Url(d.id, `${field}[${i}].id`),
    ...(d.transports ? { transports: d.transports as AuthenticatorTransport[] } : {}),
  }));
}

function publicKeyOf(options: JsonOptions): Record<string, unknown> {
  const publicKey = options.publicKey;
  if (!publicKey || typeof publicKey !== 'object') throw new Error('the server sent no publicKey options');
  return publicKey as Record<string, unknown>;
}

/** The server's registration options as `navigator.credentials.create` takes them. */
export function creationOptions(options: JsonOptions): CredentialCreationOptions {
  const publicKey = publicKeyOf(options);
  const user = publicKey.user as { id: string; name: string; displayName: string };
  const excluded = descriptors(publicKey.excludeCredentials, 'excludeCredentials');
  return {
    publicKey: {
      ...(publicKey as unknown as PublicKeyCredentialCreationOptions),
      challenge: fromBase64Url(publicKey.challenge as string, 'challenge'),
      user: { ...user, id: fromBase64Url(user.id, 'user.id') },
      ...(excluded ? { excludeCredentials: excluded } : {}),
    },
  };
}

/** The server's sign-in options as `navigator.credentials.get` takes them. */
export function requestOptions(options: JsonOptions): CredentialRequestOptions {
  const publicKey = publicKeyOf(options);
  const allowed = descriptors(publicKey.allowCredentials, 'allowCredentials');
  return {
    publicKey: {
      ...(publicKey as unknown as PublicKeyCredentialRequestOptions),
      challenge: fromBase64Url(publicKey.challenge as string, 'challenge'),
      ...(allowed ? { allowCredentials: allowed } : {}),
    },
  };
}

/** A new credential of `navigator.credentials.create` as JSON for the server. */
export function registrationJson(credential: PublicKeyCredential): Record<string, unknown> {
  const response = credential.response as AuthenticatorAttestationResponse;
  const transports = typeof response.getTransports === 'function' ? response.getTransports() : undefined;
  return {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    response: {
      attestationObject: toBase64Url(response.attestationObject),
      clientDataJSON: toBase64Url(response.clientDataJSON),
      ...(transports ? { transports } : {}),
    },
    extensions: credential.getClientExtensionResults(),
  };
}

/** An assertion of `navigator.credentials.get` as JSON for the server. */
export function assertionJson(credential: PublicKeyCredential): Record<string, unknown> {
  const response = credential.response as AuthenticatorAssertionResponse;
  return {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    response: {
      authenticatorData: toBase64Url(response.authenticatorData),
      clientDataJSON: toBase64Url(response.clientDataJSON),
      signature: toBase64Url(response.signature),
      userHandle: response.userHandle ? toBase64Url(response.userHandle) : null,
    },
    extensions: credential.getClientExtensionResults(),
  };
}

/** Whether this browser can use passkeys at all. */
export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function';
}

/** What the browser's WebAuthn calls need (the real `navigator.credentials` by default). */
export interface CredentialsContainerLike {
  create(options: CredentialCreationOptions): Promise<Credential | null>;
  get(options: CredentialRequestOptions): Promise<Credential | null>;
}

function browserCredentials(): CredentialsContainerLike {
  return navigator.credentials;
}

function publicKeyCredential(credential: Credential | null): PublicKeyCredential {
  if (!credential || credential.type !== 'public-key') throw new Error('the browser returned no passkey');
  return credential as PublicKeyCredential;
}

/** Registers a passkey named `name`: the server's options, the browser's prompt, the server's check. */
export async function registerPasskey(name: string, credentials = browserCredentials()) {
  const challenge = await api.passkeyRegistrationOptions();
  const created = publicKeyCredential(await credentials.create(creationOptions(challenge.options)));
  return api.registerPasskey({ challenge_id: challenge.challenge_id, name, credential: registrationJson(created) });
}

/** The second sign-in step with a passkey, after the password. */
export async function passkeySecondFactor(credentials = browserCredentials()) {
  const challenge = await api.passkeySecondFactorOptions();
  const asserted = publicKeyCredential(await credentials.get(requestOptions(challenge.options)));
  return api.passkeySecondFactor({ challenge_id: challenge.challenge_id, credential: assertionJson(asserted) });
}

/** Passwordless sign-in: the browser offers the passkeys it holds for this site. */
export async function passkeySignIn(credentials = browserCredentials()) {
  const challenge = await api.passkeySignInOptions();
  const asserted = publicKeyCredential(await credentials.get(requestOptions(challenge.options)));
  return api.passkeySignIn({ challenge_id: challenge.challenge_id, credential: assertionJson(asserted) });
}

/**
 * The message for a failed browser prompt: closed or timed out (the browser
 * does not tell which, nor whether it had a passkey), or a refusal of the
 * server (unknown or removed passkey).
 */
export function passkeyFailure(error: unknown): string | null {
  if (error instanceof DOMException) {
    if (error.name === 'NotAllowedError' || error.name === 'AbortError') {
      return 'The passkey prompt was closed or timed out, or this device has no passkey for this site.';
    }
    if (error.name === 'InvalidStateError') return 'This device already holds a passkey for your account.';
    if (error.name === 'SecurityError') {
      return 'The browser refused passkeys on this address; open Flowdesk at its public URL (not an IP address).';
    }
  }
  return null;
}
