import { engineMethods } from '../contract/methods';
import type { Handlers } from '../contract/rpcServer';
import packageJson from '../../package.json' with { type: 'json' };
import { convertAudio, inspectAudio, prepareAudio } from './jobs/audioJobs';

/** Every engine method, by name: the engine process serves exactly these. */
export const engineHandlers: Handlers<typeof engineMethods> = {
  'engine.hello': async () => ({ pid: process.pid, version: packageJson.version }),
  'audio.inspect': inspectAudio,
  'audio.prepare': prepareAudio,
  'audio.convert': convertAudio,
};
