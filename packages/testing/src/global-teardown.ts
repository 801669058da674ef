export default async function globalTeardown(): Promise<void> {
  const started =
    (globalThis as { __eventSchedulerContainers?: { stop(): Promise<unknown> }[] }).__eventSchedulerContainers ?? [];
  await Promise.all(started.map((container) => container.stop()));
}
