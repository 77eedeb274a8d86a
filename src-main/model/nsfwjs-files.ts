// Reads nsfwjs's bundled MobileNetV2 straight from the package files, with no network.
// nsfwjs's own loader decodes the base64 weights character by character (seconds); the files
// under dist/models/ are CommonJS modules exporting the topology JSON and a base64 string, so
// reading them ourselves and handing them to tf.io.fromMemory takes ~0.1 s.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

export interface NsfwjsModelFiles {
  /** nsfwjs's version, part of the backbone id so a new package invalidates cached features. */
  version: string;
  artifacts: tf.io.ModelArtifacts;
}

/** The package's root folder; its `exports` map hides dist/, so walk up from the entry point. */
export function nsfwjsPackageDir(): string {
  let dir = dirname(require.resolve('nsfwjs'));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (pkg.name === 'nsfwjs') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the nsfwjs package folder');
    dir = parent;
  }
}

interface TopologyModule {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Model topology, weight specs and weight bytes of one of nsfwjs's bundled models. */
export function readNsfwjsModel(name: 'mobilenet_v2' | 'inception_v3' = 'mobilenet_v2'): NsfwjsModelFiles {
  const root = nsfwjsPackageDir();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const modelDir = join(root, 'dist', 'models', name);
  // eslint-disable-next-line lookalike/floors -- a file of the nsfwjs package, not of ours
  const topo = require(join(modelDir, 'model.min.js')) as TopologyModule;
  const shardFiles = readdirSync(modelDir)
    .filter((f) => /^group1-shard\d+of\d+\.min\.js$/.test(f))
    .sort((a, b) => shardIndex(a) - shardIndex(b));
  if (shardFiles.length === 0) throw new Error(`no weight shards in ${modelDir}`);
  // eslint-disable-next-line lookalike/floors -- files of the nsfwjs package, not of ours
  const shards = shardFiles.map((f) => Buffer.from(require(join(modelDir, f)) as string, 'base64'));
  const weightData = concat(shards);
  return {
    version,
    artifacts: {
      modelTopology: topo.modelTopology,
      weightSpecs: topo.weightsManifest.flatMap((g) => g.weights),
      weightData,
    },
  };
}

function shardIndex(file: string): number {
  return Number(/shard(\d+)of/.exec(file)?.[1] ?? 0);
}

function concat(parts: Buffer[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

/** The whole nsfwjs Keras model (classifier head included), as tfjs loads it. */
export async function loadNsfwjsLayersModel(
  name: 'mobilenet_v2' | 'inception_v3' = 'mobilenet_v2',
): Promise<{ version: string; model: tf.LayersModel }> {
  const { version, artifacts } = readNsfwjsModel(name);
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return { version, model };
}
