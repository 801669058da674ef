/**
 * The sends this worker holds until their instant, by schedule, so an announced change of a
 * schedule reaches the ones it concerns at once.
 */
export function createHolding<T>() {
  const bySchedule = new Map<string, Set<T>>();
  return {
    /** Holds the items; returns the release for when they are done. */
    hold(items: { scheduleId: string; item: T }[]): () => void {
      for (const { scheduleId, item } of items) {
        const set = bySchedule.get(scheduleId) ?? new Set<T>();
        bySchedule.set(scheduleId, set);
        set.add(item);
      }
      return () => {
        for (const { scheduleId, item } of items) {
          const set = bySchedule.get(scheduleId);
          set?.delete(item);
          if (set?.size === 0) bySchedule.delete(scheduleId);
        }
      };
    },
    of: (scheduleId: string): T[] => [...(bySchedule.get(scheduleId) ?? [])],
    schedules: (): string[] => [...bySchedule.keys()],
  };
}
