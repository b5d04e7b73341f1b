import { resolve } from 'node:path';
import type { Handlers } from '../../contract/rpcServer';
import type { EngineMethods } from '../../contract/methods';
import { registry } from './engineContext';

type H = Handlers<EngineMethods>;

export const listModels: H['models.list'] = () => registry.list();

export const verifyModel: H['models.verify'] = async ({ bundle }) => {
  const folder = await registry.resolve(bundle);
  const loaded = await registry.load(folder);
  return { name: loaded.manifest.name, path: folder, provider: loaded.provider, files: Object.keys(loaded.sessions).length };
};

export const importModel: H['models.import'] = ({ source }) => registry.import(resolve(source));

export const removeModel: H['models.remove'] = async ({ name }) => {
  await registry.remove(name);
  return { removed: name };
};

export const setDefaultModel: H['models.setDefault'] = async ({ name }) => {
  await registry.setDefault(name);
  return { default: name };
};
