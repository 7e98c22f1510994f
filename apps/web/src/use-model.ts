import { useEffect, useReducer } from 'preact/hooks';
import type { AppModel } from './model.js';

/** Re-renders the component whenever the model changes. */
export function useModel(model: AppModel): void {
  const [, bump] = useReducer((n: number, _: unknown) => n + 1, 0);
  useEffect(() => model.subscribe(() => bump(undefined)), [model]);
}

export function formatDuration(totalSec: number): string {
  const minutes = Math.floor(totalSec / 60);
  const seconds = totalSec % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
