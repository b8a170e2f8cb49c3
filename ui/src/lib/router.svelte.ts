import { parseHash, href, type Route, type RouteName } from './router';

/** The current hash route, kept in sync with `hashchange`. */
class Router {
  current = $state<Route>(parseHash(typeof window === 'undefined' ? '' : window.location.hash));

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => {
        this.current = parseHash(window.location.hash);
      });
    }
  }

  navigate(name: RouteName, params: Record<string, string | number | undefined> = {}): void {
    const target = href(name, params);
    if (window.location.hash !== target) window.location.hash = target;
    else this.current = parseHash(target);
  }

  /** Changes the query of the current screen without adding a history entry. */
  replaceParams(params: Record<string, string | number | undefined>): void {
    const name = this.current.name;
    if (!name) return;
    const target = href(name, params);
    history.replaceState(history.state, '', target);
    this.current = parseHash(target);
  }
}

export const router = new Router();
