/**
 * The engine process's entry. It runs as an Electron utilityProcess in the app and as a Node child
 * process (IPC channel) for the CLI and the web host; either way it only speaks the envelopes of
 * electron/contract, so inference never blocks a UI or I/O thread.
 */
import type { OutboundEnvelope } from '../contract/envelopes';
import { engineMethods } from '../contract/methods';
import { RpcServer } from '../contract/rpcServer';
import { engineHandlers } from './engineHandlers';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: OutboundEnvelope): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

const server = new RpcServer(engineMethods, engineHandlers, send);

if (parentPort) {
  parentPort.on('message', (event) => void server.receive(event.data));
} else if (process.send) {
  process.on('message', (message) => void server.receive(message));
  // The host went away: nothing is left to answer to.
  process.on('disconnect', () => process.exit(0));
} else {
  console.error('The Sketchpad engine runs as a child of the app, the CLI or the web host, not on its own.');
  process.exit(2);
}
