/**
 * The sign-in form as a small state machine: the password step, then (for
 * users with a second factor) the code step, with the messages a user sees
 * for a wrong password, a wrong code and a lockout.
 */
import { ApiProblem, errorMessage, type SecondFactor } from './api';
import { passkeyFailure } from './passkeys';
import { session, type LoginOutcome } from './session.svelte';

export type LoginStep = 'password' | 'code';

/** What the flow needs from the session store (the real one by default). */
export interface LoginBackend {
  login(credentials: { username: string; password: string }): Promise<LoginOutcome>;
  loginMfa(code: string): Promise<void>;
  /** After 'mfa-required': the account's second factors. */
  readonly secondFactors?: readonly SecondFactor[];
  loginPasskey?(): Promise<void>;
  signInWithPasskey?(): Promise<void>;
}

/** "30 seconds", "1 minute", "5 minutes": how long a lockout lasts, rounded up. */
export function formatWait(seconds: number): string {
  if (seconds < 60) {
    const s = Math.max(1, Math.ceil(seconds));
    return `${s} second${s === 1 ? '' : 's'}`;
  }
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The message for a 429 lockout, with the wait time when the server sent Retry-After. */
export function lockoutMessage(problem: ApiProblem): string {
  return problem.retryAfter !== null
    ? `Too many failed attempts. Try again in ${formatWait(problem.retryAfter)}.`
    : 'Too many failed attempts. Wait a while, then try again.';
}

export class LoginFlow {
  step = $state<LoginStep>('password');
  /** On the code step: a recovery code instead of the authenticator's code. */
  useRecoveryCode = $state(false);
  error = $state<string | null>(null);
  busy = $state(false);
  /** On the second step: the account's second factors. */
  secondFactors = $state<readonly SecondFactor[]>(['totp']);

  constructor(private readonly backend: LoginBackend = session) {}

  /**
   * The password step. Resolves true once signed in, false when the code step
   * follows or the attempt failed (see `error`).
   */
  async submitPassword(username: string, password: string): Promise<boolean> {
    this.error = null;
    if (!username.trim() || !password) {
      this.error = 'Enter your username and password.';
      return false;
    }
    this.busy = true;
    try {
      const outcome = await this.backend.login({ username: username.trim(), password });
      if (outcome === 'mfa-required') {
        this.step = 'code';
        this.useRecoveryCode = false;
        this.secondFactors = this.backend.secondFactors ?? ['totp'];
        return false;
      }
      return true;
    } catch (e) {
      this.error = this.failure(e, 'The username or password is not correct.');
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** The code step. Resolves true once signed in. */
  async submitCode(code: string): Promise<boolean> {
    this.error = null;
    const cleaned = this.useRecoveryCode ? code.trim() : code.replace(/\s+/g, '');
    if (!cleaned) {
      this.error = this.useRecoveryCode
        ? 'Enter one of your recovery codes.'
        : 'Enter the 6-digit code from your authenticator app.';
      return false;
    }
    this.busy = true;
    try {
      await this.backend.loginMfa(cleaned);
      return true;
    } catch (e) {
      this.error = this.failure(
        e,
        this.useRecoveryCode
          ? 'That recovery code is not correct or was already used. If several minutes have passed, start over.'
          : 'That code is not correct. Enter the current code from your authenticator app; if several minutes have passed, start over.',
      );
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** The second step with a passkey. Resolves true once signed in. */
  async submitPasskey(): Promise<boolean> {
    return this.withPasskey(
      () => this.backend.loginPasskey?.() ?? Promise.reject(new Error('passkeys are not available')),
      'The passkey was not accepted. If several minutes have passed, start over.',
    );
  }

  /** Passwordless sign-in with a passkey. Resolves true once signed in. */
  async signInWithPasskey(): Promise<boolean> {
    return this.withPasskey(
      () => this.backend.signInWithPasskey?.() ?? Promise.reject(new Error('passkeys are not available')),
      'This passkey is not registered here, or was removed. Sign in with your password.',
    );
  }

  private async withPasskey(ceremony: () => Promise<void>, on401: string): Promise<boolean> {
    this.error = null;
    this.busy = true;
    try {
      await ceremony();
      return true;
    } catch (e) {
      this.error = passkeyFailure(e) ?? this.failure(e, on401);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Switches between the authenticator code and a recovery code. */
  toggleRecoveryCode(): void {
    this.useRecoveryCode = !this.useRecoveryCode;
    this.error = null;
  }

  /** Back to the password step (the pending sign-in is abandoned). */
  startOver(): void {
    this.step = 'password';
    this.useRecoveryCode = false;
    this.error = null;
  }

  private failure(e: unknown, on401: string): string {
    if (e instanceof ApiProblem && e.status === 401) return on401;
    if (e instanceof ApiProblem && e.status === 429) return lockoutMessage(e);
    return errorMessage(e);
  }
}
