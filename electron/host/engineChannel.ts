import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InboundEnvelope, OutboundEnvelope } from '../contract/envelopes';

/** One running engine process, however it was started. */
export interface EngineChannel {
  readonly pid: number | undefined;
  send(message: InboundEnvelope): void;
  onMessage(listener: (message: OutboundEnvelope) => void): void;
  /** `reason` is human text: an exit code or a signal, and the engine's last words on stderr. */
  onExit(listener: (reason: string) => void): void;
  kill(): void;
}

export type EngineLauncher = () => EngineChannel;

/** The line of a dead engine's stderr that says most: its error, else its last line. */
export function lastWords(stderr: string): string | undefined {
  const lines = stderr.trim().split('\n').filter(Boolean);
  return lines.find((line) => /\b\w*Error\b/.test(line)) ?? lines.pop();
}

/** The built engine entry sits beside the built host modules in out/main. */
export function defaultEngineEntry(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'engine.js');
}

/** Starts the engine as a Node child process (the CLI and the web host). */
export function nodeEngineLauncher(entry = defaultEngineEntry()): EngineLauncher {
  return () => {
    const child = fork(entry, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-2000);
      if (process.env.SKETCHPAD_DEBUG) process.stderr.write(chunk);
    });
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as OutboundEnvelope)),
      onExit: (listener) =>
        child.on('exit', (code, signal) => {
          const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
          const lastLine = lastWords(stderrTail);
          listener(lastLine ? `${how}: ${lastLine}` : how);
        }),
      kill: () => child.kill(),
    };
  };
}
