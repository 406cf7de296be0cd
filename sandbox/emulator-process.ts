import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface SpawnedEmulator {
  url: string;
  process: ChildProcess;
  /** Sends SIGTERM and resolves once the emulator exited. */
  stop(): Promise<void>;
}

export interface SpawnEmulatorOptions {
  /** 0 (the default) takes a free port. */
  port?: number;
  /** Projects to seed with the demo catalogue before the emulator reports it is listening. */
  seedProjectKeys?: string[];
  startupTimeoutMs?: number;
}

const PROJECT_ROOT = resolve(__dirname, '..');
const MAIN = resolve(__dirname, 'emulator.main.ts');
const STDERR_KEPT = 16_000;
const KILL_AFTER_MS = 5_000;

/**
 * Runs the emulator in a child process (the mock is ESM-only, which jest's CommonJS cannot load)
 * and resolves with its URL once it printed its `listening` line. Rejects with the child's stderr
 * when it exits or stays silent for `startupTimeoutMs`.
 */
export async function spawnEmulator(options: SpawnEmulatorOptions = {}): Promise<SpawnedEmulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      PORT: String(options.port ?? 0),
      SEED_PROJECT_KEYS: (options.seedProjectKeys ?? []).join(','),
    },
    // The IPC channel lets the emulator exit with its parent, even when stop() is never called.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      await exited;
      clearTimeout(timer);
    }
  };

  const url = await new Promise<string>((resolveUrl, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timeoutMs = options.startupTimeoutMs ?? 30_000;
    const timer = setTimeout(() => fail(`did not report listening within ${timeoutMs} ms`), timeoutMs);
    const settle = (): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const fail = (reason: string): void => {
      settle();
      void stop().then(() => reject(new Error(`emulator ${reason}\n${stderr}`)));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`exited (${code ?? signal}) before listening`);
    const onError = (error: Error): void => fail(`could not start: ${error.message}`);
    child.once('exit', onExit);
    child.once('error', onError);
    // Later lines are ignored; the reader keeps draining stdout so the child never blocks on it.
    lines.on('line', (line) => {
      const event = parseEvent(line);
      if (event?.event !== 'listening' || typeof event.url !== 'string') return;
      settle();
      resolveUrl(event.url);
    });
  });

  return { url, process: child, stop };
}

function parseEvent(line: string): { event?: unknown; url?: unknown } | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}
