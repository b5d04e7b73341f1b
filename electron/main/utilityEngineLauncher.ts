import { utilityProcess } from 'electron';
import type { OutboundEnvelope } from '../contract/envelopes';
import { lastWords, type EngineLauncher } from '../host/engineChannel';

/**
 * Starts the engine as an Electron utilityProcess: a crash there cannot take the window down.
 * `env` tells it where the shipped and the user's model bundles are.
 */
export function utilityEngineLauncher(entry: string, env: Record<string, string>): EngineLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Sketchpad engine', stdio: 'pipe', env: { ...process.env, ...env } });
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-2000);
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', (message) => listener(message as OutboundEnvelope)),
      onExit: (listener) =>
        child.on('exit', (code) => {
          const lastLine = lastWords(stderrTail);
          listener(`exited with code ${code}${lastLine ? `: ${lastLine}` : ''}`);
        }),
      kill: () => void child.kill(),
    };
  };
}
