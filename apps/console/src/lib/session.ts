/** Where the API key is kept: the tab's session storage only, gone when the tab closes. */
export interface KeyStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const STORAGE_KEY = 'event-scheduler.api-key';

export function loadKey(store: KeyStore): string | null {
  const key = store.getItem(STORAGE_KEY);
  return key?.trim() ? key : null;
}

export function saveKey(store: KeyStore, key: string): void {
  store.setItem(STORAGE_KEY, key.trim());
}

export function forgetKey(store: KeyStore): void {
  store.removeItem(STORAGE_KEY);
}
