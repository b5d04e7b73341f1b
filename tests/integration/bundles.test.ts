import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { BundleRegistry } from '../../electron/engine/bundles/bundleRegistry';
import { loadBundle } from '../../electron/engine/bundles/bundleVerifier';
import { findExternalData } from '../../electron/engine/bundles/onnxExternalData';
import { tinyBundle } from '../fixtures/bundles';
import { repoRoot, scratchDir } from '../fixtures/paths';

const cpu = { providers: ['cpu'], label: 'CPU' };

function copyBundle(): string {
  const folder = join(scratchDir('bundle'), 'tiny-test');
  cpSync(tinyBundle, folder, { recursive: true });
  return folder;
}

function editManifest(folder: string, edit: (manifest: Record<string, any>) => void): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  const path = join(folder, 'bundle.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  edit(manifest);
  writeFileSync(path, JSON.stringify(manifest));
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** An ONNX model whose one initializer keeps its data in an external file. */
function modelWithExternalData(location: string): Uint8Array {
  const root = protobuf.parse(`syntax = "proto2";
    message Entry { optional string key = 1; optional string value = 2; }
    message Tensor { optional string name = 8; repeated Entry external_data = 13; optional int32 data_location = 14; }
    message Graph { repeated Tensor initializer = 5; }
    message Model { optional int64 ir_version = 1; optional Graph graph = 7; }`).root;
  const Model = root.lookupType('Model');
  return Model.encode(Model.fromObject({ irVersion: 8, graph: { initializer: [{ name: 'weight', externalData: [{ key: 'location', value: location }], dataLocation: 1 }] } })).finish();
}

/** The piano bundle's key profile (it reads three coarse levels, as the tiny bundle makes) added to a copied bundle. */
function addPianoKeyProfile(folder: string): void {
  const piano = join(repoRoot, 'models', 'sketchpad-piano');
  cpSync(join(piano, 'key_profile.onnx'), join(folder, 'key_profile.onnx'));
  const stage = (JSON.parse(readFileSync(join(piano, 'bundle.json'), 'utf8')) as { stages: { keyProfile: unknown } }).stages.keyProfile;
  editManifest(folder, (m) => { m.stages.keyProfile = stage; });
}

async function refusal(folder: string): Promise<string> {
  try {
    await loadBundle(folder, cpu);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the bundle to be refused');
}

describe('bundle validation before use', () => {
  it('accepts the tiny bundle: schema, hashes and every signature', async () => {
    const bundle = await loadBundle(tinyBundle, cpu);
    expect(Object.keys(bundle.sessions)).toHaveLength(6);
    expect(bundle.provider).toBe('CPU');
  });

  it('opens a key profile where the bundle has one, as its seventh session', async () => {
    const folder = copyBundle();
    addPianoKeyProfile(folder);
    const bundle = await loadBundle(folder, cpu);
    expect(Object.keys(bundle.sessions)).toHaveLength(7);
    expect(bundle.sessions.keyProfile).toBeDefined();
  });

  it.each<[string, (folder: string) => void, RegExp]>([
    ['a missing file', (f) => rmSync(join(f, 'fine_lm.onnx')), /fineLm's file fine_lm\.onnx is missing/],
    ['a changed file', (f) => writeFileSync(join(f, 'coarse_lm.onnx'), Buffer.concat([readFileSync(join(f, 'coarse_lm.onnx')), Buffer.from([0])])), /coarse_lm\.onnx does not match its sha256/],
    ['bundle.json that is not JSON', (f) => writeFileSync(join(f, 'bundle.json'), '{ nope'), /bundle\.json is not valid JSON/],
    ['no bundle.json', (f) => rmSync(join(f, 'bundle.json')), /it has no bundle\.json/],
    ['a file name leading out of the folder', (f) => editManifest(f, (m) => { m.stages.fineLm.file = '../fine_lm.onnx'; }), /bundle\.json stages\.fineLm\.file: a plain \.onnx file name inside the bundle folder/],
    ['a wrong input name', (f) => editManifest(f, (m) => { m.stages.semanticLm.inputs[0].name = 'ids'; }), /semanticLm's ONNX inputs are \(tokens, cache_k_0, cache_k_1, cache_v_0, cache_v_1, cache_len\), the manifest says \(ids, /],
    ['a wrong output shape', (f) => editManifest(f, (m) => { m.stages.semanticLm.outputs[0].shape = ['batch', 65]; }), /semanticLm's output logits is float32 \[batch, 64\], the manifest says float32 \[batch, 65\]/],
    ['inconsistent rates', (f) => editManifest(f, (m) => { m.acoustic.frameRate = 75; }), /acoustic\.frameRate: frameRate must equal sampleRate \/ hop/],
    ['no fine stage declared beside a fine LM', (f) => editManifest(f, (m) => { m.interleaving.fine = 'none'; }), /stages\.fineLm: a fine LM goes with fine 'level-parallel' and none with fine 'none'/],
    ['a fine stage declared without its fine LM', (f) => editManifest(f, (m) => { delete m.stages.fineLm; }), /stages\.fineLm: a fine LM goes with fine 'level-parallel'/],
    ['a decoder declared to read the coarse levels alone in a chain that makes them all', (f) => editManifest(f, (m) => { m.stages.codecDecoder.inputs[0].shape[1] = m.acoustic.coarseLevels; }),
      /stages\.codecDecoder\.inputs: the decoder must read every level the chain makes/],
    ['a key profile declared to read other levels than the coarse ones', (f) => {
      addPianoKeyProfile(f);
      editManifest(f, (m) => { m.stages.keyProfile.inputs[0].shape[1] = m.acoustic.levels; });
    }, /stages\.keyProfile\.inputs: the key profile reads the coarse levels/],
    ['a changed key profile', (f) => {
      addPianoKeyProfile(f);
      writeFileSync(join(f, 'key_profile.onnx'), Buffer.concat([readFileSync(join(f, 'key_profile.onnx')), Buffer.from([0])]));
    }, /key_profile\.onnx does not match its sha256/],
    ['a link out of the folder', (f) => { rmSync(join(f, 'fine_lm.onnx')); symlinkSync(join(tinyBundle, 'fine_lm.onnx'), join(f, 'fine_lm.onnx')); }, /fine_lm\.onnx points outside the bundle folder/],
    ['a file that is no ONNX model', (f) => {
      writeFileSync(join(f, 'fine_lm.onnx'), 'not a model at all');
      editManifest(f, (m) => { m.stages.fineLm.sha256 = sha256(join(f, 'fine_lm.onnx')); });
    }, /fine_lm\.onnx is not a loadable ONNX model/],
    ['external data escaping the folder', (f) => {
      writeFileSync(join(f, 'fine_lm.onnx'), modelWithExternalData('../../secret.bin'));
      editManifest(f, (m) => { m.stages.fineLm.sha256 = sha256(join(f, 'fine_lm.onnx')); });
    }, /fine_lm\.onnx refers to external data \(\.\.\/\.\.\/secret\.bin\)/],
  ])('refuses %s with a specific message', async (_, tamper, message) => {
    const folder = copyBundle();
    tamper(folder);
    expect(await refusal(folder)).toMatch(message);
  });

  it('finds no external data in our own exports', () => {
    expect(findExternalData(readFileSync(join(tinyBundle, 'coarse_lm.onnx')))).toEqual([]);
  });
});

describe('the bundle registry', () => {
  const python = (script: string) => execFileSync('python3', ['-c', script]);

  it('imports a folder, lists it as the default, and removes it', async () => {
    const user = scratchDir('user');
    const registry = new BundleRegistry({ shipped: scratchDir('shipped'), user }, cpu);
    expect(await registry.list()).toEqual([]);
    await expect(registry.resolve()).rejects.toThrow(/No model bundle is installed/);
    const imported = await registry.import(tinyBundle);
    expect(imported).toMatchObject({ name: 'tiny-test', source: 'user', isDefault: true });
    expect(await registry.resolve('tiny-test')).toBe(join(user, 'tiny-test'));
    await expect(registry.import(tinyBundle)).rejects.toThrow(/already installed/);
    await expect(registry.resolve('grand-piano')).rejects.toThrow(/There is no bundle named "grand-piano"; installed: tiny-test/);
    await registry.remove('tiny-test');
    expect(existsSync(join(user, 'tiny-test'))).toBe(false);
  });

  it('imports a zip, and refuses a zip whose entries climb out of the folder', async () => {
    const dir = scratchDir('zips');
    const good = join(dir, 'good.zip');
    const evil = join(dir, 'evil.zip');
    python(`import zipfile, os
with zipfile.ZipFile(${JSON.stringify(good)}, 'w') as z:
    for name in os.listdir(${JSON.stringify(tinyBundle)}):
        z.write(os.path.join(${JSON.stringify(tinyBundle)}, name), 'tiny-test/' + name)
with zipfile.ZipFile(${JSON.stringify(evil)}, 'w') as z:
    z.writestr('bundle.json', '{}')
    z.writestr('../../escaped.txt', 'gotcha')`);
    const registry = new BundleRegistry({ shipped: scratchDir('shipped'), user: scratchDir('user') }, cpu);
    expect((await registry.import(good)).name).toBe('tiny-test');
    await expect(registry.import(evil)).rejects.toThrow(/evil\.zip is refused: its entry "\.\.\/\.\.\/escaped\.txt" would be written outside the bundle folder/);
    expect(existsSync(join(dir, '..', 'escaped.txt'))).toBe(false);
  });

  it('keeps a default per domain, and resolves the domain\'s default first', async () => {
    const shipped = scratchDir('shipped');
    for (const [name, domain] of [['piano-a', 'piano'], ['piano-b', 'piano'], ['speech-a', 'speech']] as const) {
      cpSync(tinyBundle, join(shipped, name), { recursive: true });
      editManifest(join(shipped, name), (m) => { m.name = name; m.domain = domain; });
    }
    const registry = new BundleRegistry({ shipped, user: scratchDir('user') }, cpu);
    expect((await registry.list()).filter((b) => b.isDefault).map((b) => b.name).sort()).toEqual(['piano-a', 'speech-a']);
    await registry.setDefault('piano-b');
    expect((await registry.list()).filter((b) => b.isDefault).map((b) => b.name).sort()).toEqual(['piano-b', 'speech-a']);
    expect(await registry.resolve(undefined, 'piano')).toBe(join(shipped, 'piano-b'));
    expect(await registry.resolve(undefined, 'speech')).toBe(join(shipped, 'speech-a'));
  });

  it('will not remove a shipped bundle', async () => {
    const shipped = scratchDir('shipped');
    cpSync(tinyBundle, join(shipped, 'tiny-test'), { recursive: true });
    const registry = new BundleRegistry({ shipped, user: scratchDir('user') }, cpu);
    await expect(registry.remove('tiny-test')).rejects.toThrow(/ships with Sketchpad and cannot be removed/);
  });
});
