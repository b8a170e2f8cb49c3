/** Short-lived notifications shown bottom-right. */

export type ToastKind = 'success' | 'error' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  link?: { href: string; label: string };
}

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  push(toast: Omit<Toast, 'id'>, timeoutMs = toast.kind === 'error' ? 8000 : 5000): number {
    const id = this.#next++;
    this.items.push({ ...toast, id });
    if (timeoutMs > 0) setTimeout(() => this.dismiss(id), timeoutMs);
    return id;
  }

  success(message: string, link?: Toast['link']): number {
    return this.push({ kind: 'success', message, link });
  }

  error(message: string): number {
    return this.push({ kind: 'error', message });
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
