import { describe, expect, it } from '@jest/globals';
import { forgetKey, type KeyStore, loadKey, saveKey } from './session.js';

const memoryStore = (): KeyStore & { items: Map<string, string> } => {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
};

describe('the signed-in key', () => {
  it('is kept trimmed, read back, and forgotten on sign-out', () => {
    const store = memoryStore();
    expect(loadKey(store)).toBeNull();
    saveKey(store, '  sk_abc \n');
    expect(loadKey(store)).toBe('sk_abc');
    forgetKey(store);
    expect(loadKey(store)).toBeNull();
    expect(store.items.size).toBe(0);
  });

  it('treats a blank stored value as signed out', () => {
    const store = memoryStore();
    store.setItem('event-scheduler.api-key', '   ');
    expect(loadKey(store)).toBeNull();
  });
});
