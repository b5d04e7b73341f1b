/** `npm run web`: serves the built renderer and the engine to any Chromium on this machine. */
import { startWebHost } from './webHost';

const portArgument = process.argv.indexOf('--port');
const port = portArgument > 0 ? Number(process.argv[portArgument + 1]) : Number(process.env.SKETCHPAD_PORT ?? 0);

const host = await startWebHost({ port });
console.log(`Sketchpad is running at ${host.url}`);
console.log('Open that address in Chromium or Chrome. Press Ctrl+C to stop.');

const stop = async (): Promise<void> => {
  await host.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
