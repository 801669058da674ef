import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from '../lib/api.js';

export interface ConsoleContext {
  api: ApiClient;
  /** Says something to screen readers and shows it briefly (status line). */
  notify(message: string): void;
  /** Goes to a fragment (`#/schedules/...`). */
  navigate(href: string): void;
}

export const Console = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const value = useContext(Console);
  if (!value) throw new Error('useConsole outside the signed-in console');
  return value;
}
