import { BundleRegistry, registryPaths } from '../bundles/bundleRegistry';
import { chooseExecutionProviders } from '../runtime/executionProvider';

/** What lives for the engine process's lifetime: the chosen device and the open bundles. */
export const executionChoice = chooseExecutionProviders();
export const registry = new BundleRegistry(registryPaths(), executionChoice);
