import { engineMethods } from '../contract/methods';
import type { Handlers } from '../contract/rpcServer';
import packageJson from '../../package.json' with { type: 'json' };
import { convertAudio, inspectAudio, prepareAudio, renderAudio } from './jobs/audioJobs';
import { evalCodec } from './eval/evalCodec';
import { evalContinue } from './eval/evalContinue';
import { benchJob } from './jobs/benchJob';
import { codecRoundTrip, computeTokens, continueJob } from './jobs/continueJobs';
import { executionChoice } from './jobs/engineContext';
import { importModel, listModels, removeModel, setDefaultModel, verifyModel } from './jobs/modelJobs';

/** Every engine method, by name: the engine process serves exactly these. */
export const engineHandlers: Handlers<typeof engineMethods> = {
  'engine.hello': async () => ({ pid: process.pid, version: packageJson.version, device: executionChoice.label }),
  'audio.inspect': inspectAudio,
  'audio.prepare': prepareAudio,
  'audio.convert': convertAudio,
  'audio.render': renderAudio,
  'models.list': listModels,
  'models.verify': verifyModel,
  'models.import': importModel,
  'models.remove': removeModel,
  'models.setDefault': setDefaultModel,
  'continue': continueJob,
  'codec.roundTrip': codecRoundTrip,
  'tokens.compute': computeTokens,
  'bench.run': benchJob,
  'eval.codec': evalCodec,
  'eval.continue': evalContinue,
};
