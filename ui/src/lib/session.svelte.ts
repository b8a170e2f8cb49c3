/**
 * The signed-in user. `init()` decides where a fresh window goes: first-run
 * setup, the login page, or the app.
 */
import {
  api,
  can,
  isMfaChallenge,
  onMfaEnrolmentRequired,
  onUnauthorized,
  ApiProblem,
  type Credentials,
  type CurrentUser,
  type Permission,
  type SecondFactor,
} from './api';
import { passkeySecondFactor, passkeySignIn } from './passkeys';

export type SessionStatus = 'loading' | 'needs-setup' | 'signed-out' | 'signed-in' | 'offline';

/** How a password sign-in ended: in, or waiting for the second factor. */
export type LoginOutcome = 'signed-in' | 'mfa-required';

class Session {
  user = $state<CurrentUser | null>(null);
  status = $state<SessionStatus>('loading');
  error = $state<string | null>(null);
  /** The server refused a request until this user enrols a second factor (403 `mfa-enrolment-required`). */
  mfaEnrolmentRequired = $state(false);

  constructor() {
    onMfaEnrolmentRequired(() => {
      this.mfaEnrolmentRequired = true;
      if (!window.location.hash.startsWith('#/account')) window.location.hash = '#/account';
    });
    onUnauthorized(() => {
      this.user = null;
      if (this.status !== 'needs-setup') this.status = 'signed-out';
      const hash = window.location.hash;
      if (!hash.startsWith('#/login') && !hash.startsWith('#/setup')) window.location.hash = '#/login';
    });
  }

  can(permission: Permission): boolean {
    return can(this.user, permission);
  }

  async init(): Promise<void> {
    this.status = 'loading';
    this.error = null;
    try {
      const { needs_setup } = await api.setupStatus();
      if (needs_setup) {
        this.user = null;
        this.status = 'needs-setup';
        return;
      }
      await this.refresh();
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) return;
      this.status = 'offline';
      this.error = error instanceof ApiProblem ? error.userMessage : String(error);
    }
  }

  /** Loads /api/auth/me; a 401 lands in the unauthorized handler. */
  async refresh(): Promise<void> {
    try {
      this.user = await api.me();
      this.status = 'signed-in';
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) {
        this.user = null;
        this.status = 'signed-out';
        return;
      }
      throw error;
    }
  }

  /** After a password step that answered 'mfa-required': the second factors the account has. */
  secondFactors = $state<SecondFactor[]>([]);

  /** Password step; on 'mfa-required' finish with `loginMfa` or `loginPasskey` (see `secondFactors`). */
  async login(credentials: Credentials): Promise<LoginOutcome> {
    this.mfaEnrolmentRequired = false;
    const answer = await api.login(credentials);
    if (isMfaChallenge(answer)) {
      this.secondFactors = answer.methods ?? ['totp'];
      return 'mfa-required';
    }
    await this.refresh();
    return 'signed-in';
  }

  /** Second step with a passkey: the browser's prompt, then the server's check. */
  async loginPasskey(): Promise<void> {
    await passkeySecondFactor();
    await this.refresh();
  }

  /** Passwordless sign-in with a passkey of this site. */
  async signInWithPasskey(): Promise<void> {
    this.mfaEnrolmentRequired = false;
    await passkeySignIn();
    await this.refresh();
  }

  /** Second step: a TOTP code or a recovery code for the pending sign-in. */
  async loginMfa(code: string): Promise<void> {
    await api.loginMfa(code);
    await this.refresh();
  }

  /** After a confirmed TOTP enrolment the rest of the app opens again. */
  mfaEnrolled(): void {
    this.mfaEnrolmentRequired = false;
  }

  async setup(credentials: Credentials): Promise<void> {
    await api.setup(credentials);
    await this.refresh();
  }

  async logout(): Promise<void> {
    try {
      await api.logout();
    } finally {
      this.user = null;
      this.mfaEnrolmentRequired = false;
      this.status = 'signed-out';
      window.location.hash = '#/login';
    }
  }
}

export const session = new Session();
