import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { bundleManifestSchema, type BundleManifest, type StageName, type TensorSpec } from '../../contract/bundle';
import { firstSchemaIssue, SketchpadError } from '../../contract/errors';
import type { ExecutionChoice } from '../runtime/executionProvider';
import { openSession, type Session } from '../runtime/onnxSession';
import { findExternalData } from './onnxExternalData';

const invalid = (folder: string, why: string): SketchpadError => new SketchpadError('bundle/invalid', `The model bundle ${basename(folder)} is invalid: ${why}`);

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Reads and schema-checks bundle.json, with the first problem named by its path. */
export async function readManifest(folder: string): Promise<BundleManifest> {
  let text: string;
  try {
    text = await readFile(join(folder, 'bundle.json'), 'utf8');
  } catch {
    throw invalid(folder, 'it has no bundle.json.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(folder, `bundle.json is not valid JSON (${(error as Error).message}).`);
  }
  const parsed = bundleManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw invalid(folder, `bundle.json ${firstSchemaIssue(parsed.error)}.`);
  }
  return parsed.data;
}

function sameShape(declared: TensorSpec['shape'], actual: readonly (number | string)[]): boolean {
  return declared.length === actual.length && declared.every((d, i) => (typeof d === 'number' ? d === actual[i] : typeof actual[i] === 'string'));
}

function checkSignature(folder: string, stage: StageName, session: Session, inputs: TensorSpec[], outputs: TensorSpec[]): void {
  const describe = (specs: TensorSpec[]) => specs.map((s) => s.name).join(', ');
  for (const [kind, specs, names, metadata] of [
    ['inputs', inputs, session.inputNames, session.inputMetadata],
    ['outputs', outputs, session.outputNames, session.outputMetadata],
  ] as const) {
    if (specs.length !== names.length || specs.some((s, i) => s.name !== names[i])) {
      throw invalid(folder, `${stage}'s ONNX ${kind} are (${names.join(', ')}), the manifest says (${describe(specs)}).`);
    }
    for (const [i, spec] of specs.entries()) {
      const actual = metadata[i];
      if (!actual?.isTensor || actual.type !== spec.type || !sameShape(spec.shape, actual.shape)) {
        const shape = actual?.isTensor ? `${actual.type} [${actual.shape.join(', ')}]` : 'not a tensor';
        throw invalid(folder, `${stage}'s ${kind.slice(0, -1)} ${spec.name} is ${shape}, the manifest says ${spec.type} [${spec.shape.join(', ')}].`);
      }
    }
  }
}

/** One open session per stage the bundle has: a bundle without a fine stage has no fineLm, one without a key profile no keyProfile. */
export type BundleSessions = Record<Exclude<StageName, 'fineLm' | 'keyProfile'>, Session> & { readonly fineLm?: Session; readonly keyProfile?: Session };

export interface VerifiedBundle {
  readonly folder: string;
  readonly manifest: BundleManifest;
  readonly sessions: BundleSessions;
  /** The execution provider the sessions run on. */
  readonly provider: string;
}

/**
 * Validates a bundle completely before anything uses it: the manifest's schema, each ONNX file's
 * place (inside the folder, no links out, no external data), its sha256, and its inputs and
 * outputs against the manifest. Either every session is open or none is.
 */
export async function loadBundle(folder: string, choice: ExecutionChoice): Promise<VerifiedBundle> {
  const manifest = await readManifest(folder);
  const root = await realpath(folder);
  type StageSpec = NonNullable<BundleManifest['stages'][StageName]>;
  const stages = (Object.entries(manifest.stages) as [StageName, StageSpec | undefined][]).filter((entry): entry is [StageName, StageSpec] => entry[1] !== undefined);
  for (const [stage, spec] of stages) {
    const path = join(folder, spec.file);
    const info = await lstat(path).catch(() => null);
    if (!info) throw invalid(folder, `${stage}'s file ${spec.file} is missing.`);
    if (info.isSymbolicLink() || !(await realpath(path)).startsWith(root + sep)) throw invalid(folder, `${spec.file} points outside the bundle folder.`);
    const digest = await sha256(path);
    if (digest !== spec.sha256) throw invalid(folder, `${spec.file} does not match its sha256 (the file was changed or damaged).`);
    let external: string[];
    try {
      external = findExternalData(await readFile(path));
    } catch (error) {
      throw invalid(folder, `${spec.file} is not a loadable ONNX model (${(error as Error).message}).`);
    }
    if (external.length) throw invalid(folder, `${spec.file} refers to external data (${external.join(', ')}); bundles must keep their weights inside the ONNX files.`);
  }
  const sessions: Partial<Record<StageName, Session>> = {};
  let provider = 'CPU';
  try {
    for (const [stage, spec] of stages) {
      let opened: Awaited<ReturnType<typeof openSession>>;
      try {
        opened = await openSession(join(folder, spec.file), choice);
      } catch (error) {
        throw invalid(folder, `${spec.file} is not a loadable ONNX model (${(error as Error).message.split('\n')[0]}).`);
      }
      sessions[stage] = opened.session;
      provider = opened.provider;
      checkSignature(folder, stage, opened.session, spec.inputs, spec.outputs);
    }
  } catch (error) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw error;
  }
  return { folder, manifest, sessions: sessions as BundleSessions, provider };
}
