import ort from 'onnxruntime-node';

/** ONNX Runtime's names for the accelerators we try, in order of preference, per platform. */
function candidates(): string[] {
  if (process.platform === 'darwin') return ['coreml'];
  if (process.platform === 'win32') return ['cuda', 'dml'];
  return ['cuda'];
}

export interface ExecutionChoice {
  /** The providers passed to ONNX Runtime, best first; CPU is always last. */
  readonly providers: string[];
  /** What a person is told runs the models. */
  readonly label: string;
}

/**
 * The accelerators this build of onnxruntime-node can load here, then CPU. `SKETCHPAD_DEVICE=cpu`
 * forces CPU. A provider that is listed but fails when a session starts falls back to CPU there.
 */
export function chooseExecutionProviders(): ExecutionChoice {
  if (process.env.SKETCHPAD_DEVICE === 'cpu') return { providers: ['cpu'], label: 'CPU (forced)' };
  const available = new Set(ort.listSupportedBackends().filter((b) => b.bundled || process.env.SKETCHPAD_DEVICE === b.name).map((b) => b.name));
  const accelerated = candidates().filter((name) => available.has(name));
  return accelerated.length ? { providers: [...accelerated, 'cpu'], label: accelerated[0]!.toUpperCase() } : { providers: ['cpu'], label: 'CPU' };
}
