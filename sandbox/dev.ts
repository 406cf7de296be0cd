import { SandboxError, startSandbox } from './sandbox';

/** `npm run dev`: the service on its embedded sandbox, until Ctrl-C. */
async function main(): Promise<void> {
  const sandbox = await startSandbox();
  const lines = [
    '',
    `  Guest checkout sandbox is running at ${sandbox.url}`,
    ...(sandbox.busyPort !== undefined
      ? [
          `  Port ${sandbox.busyPort} was busy (another process listens there), so the sandbox took a free port:`,
          `  use ${sandbox.url} wherever an example says http://127.0.0.1:${sandbox.busyPort}.`,
        ]
      : []),
    `  Demo API key:        ${sandbox.apiKey}`,
    ...Object.entries(sandbox.tillKeys ?? {}).map(([store, key]) => `  Demo till (${store}): ${key}`),
    `  Demo SKUs:           ${sandbox.skus.join(', ')}`,
    `  commercetools (emulator): ${sandbox.emulatorUrl}   Redis: ${sandbox.redisUrl}`,
    '',
    `  Try: curl -s -X POST ${sandbox.url}/v1/sessions -H 'Authorization: Bearer ${sandbox.apiKey}' -H 'Content-Type: application/json' -d '{}'`,
    `  API docs: ${sandbox.url}/docs   OpenAPI document: ${sandbox.url}/openapi.json`,
    `  Walkthrough: npm run demo   (or DEMO_URL=${sandbox.url} DEMO_API_KEY=<the key above> npm run demo)`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      sandbox.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof SandboxError ? error.message : `Sandbox failed to start: ${(error as Error).stack}`}\n`,
  );
  process.exit(1);
});
