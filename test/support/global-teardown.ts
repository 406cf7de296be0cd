interface Stoppable {
  stop(): Promise<void>;
}

export default async function globalTeardown(): Promise<void> {
  const processes = (globalThis as Record<string, unknown>).__testProcesses as Record<string, Stoppable> | undefined;
  await Promise.all(Object.values(processes ?? {}).map((p) => p.stop()));
}
