/**
 * The signed-in user. `init()` decides where a fresh window goes: first-run
 * setup, the login page, or the app.
 */
import { api, can, onUnauthorized, ApiProblem, type Credentials, type CurrentUser, type Permission } from './api';

export type SessionStatus = 'loading' | 'needs-setup' | 'signed-out' | 'signed-in' | 'offline';

class Session {
  user = $state<CurrentUser | null>(null);
  status = $state<SessionStatus>('loading');
  error = $state<string | null>(null);

  constructor() {
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

  async login(credentials: Credentials): Promise<void> {
    await api.login(credentials);
    await this.refresh();
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
      this.status = 'signed-out';
      window.location.hash = '#/login';
    }
  }
}

export const session = new Session();
