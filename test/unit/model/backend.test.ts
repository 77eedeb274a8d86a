import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';

describe('initBackend', () => {
  it('falls back to wasm when the node backends are not installed, and says why', async () => {
    const info = await initBackend();
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // This machine has no GPU: Dawn offers no hardware adapter.
    expect(info.skipped).toEqual([
      { name: 'tensorflow-gpu', reason: 'package not installed' },
      { name: 'webgpu', reason: expect.stringMatching(/no WebGPU adapter|software adapter/) },
      { name: 'tensorflow', reason: 'package not installed' },
    ]);
    expect(info.detail).toMatch(/WebAssembly/);
  });

  it('reports a node backend that is installed but fails to load, with its error', async () => {
    const requireModule = (id: string): unknown => {
      throw new Error(`${id}: libtensorflow.so.2: cannot open shared object file`);
    };
    const info = await initBackend({ requireModule });
    expect(info.name).toBe('wasm');
    expect(info.skipped[0].reason).toMatch(/libtensorflow\.so\.2/);
  });

  it('falls back to cpu when wasm is excluded, listing wasm among the skipped', async () => {
    const info = await initBackend({ exclude: ['wasm'] });
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm']);
    expect(info.skipped[3].reason).toBe('excluded');
    expect(info.detail).toMatch(/slow/);
  });
});
