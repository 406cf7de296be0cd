import { SandboxError, startSandbox } from './sandbox';

/** `npm run dev`: the service on its embedded sandbox, until Ctrl-C. */
async function main(): Promise<void> {
  const sandbox = await startSandbox();
  const lines = [
    '',
    `  Guest checkout sandbox is running at ${sandbox.url}`,
    `  Demo API key:        ${sandbox.apiKey}`,
    `  Demo SKUs:           ${sandbox.skus.join(', ')}`,
    `  commercetools (emulator): ${sandbox.emulatorUrl}   Redis: ${sandbox.redisUrl}`,
    '',
    `  Try: curl -s -X POST ${sandbox.url}/v1/sessions -H 'Authorization: Bearer ${sandbox.apiKey}' -H 'Content-Type: application/json' -d '{}'`,
    `  API document: ${sandbox.url}/openapi.json   Walkthrough: npm run demo`,
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
