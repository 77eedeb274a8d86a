// The ladder's choice of a WebGPU adapter, with fake adapters standing in for Dawn (no hardware
// GPU here). Activation is faked too: a fake adapter cannot run tfjs kernels; the real WebGPU
// path runs in webgpu-llvmpipe.test.ts.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { vulkanLoaderFound, type AdapterLike, type GpuProvider } from '../../../src-main/model/webgpu.js';

const limits = { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 32 };

function adapter(info: AdapterLike['info'], extra: Partial<AdapterLike> = {}): AdapterLike {
  return { info, limits, features: new Set(), requestDevice: async () => ({}), ...extra };
}

const H200 = adapter({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: '' });
const LLVMPIPE = adapter({ vendor: '', architecture: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL ES 3.2 Mesa 22.3.6' });

/** A fake Dawn: `byFlags` maps create()'s flags (joined) to the adapter it offers. */
function fakeDawn(byFlags: Record<string, AdapterLike | null>) {
  const requests: { flags: string; options?: Record<string, unknown> }[] = [];
  const provider: GpuProvider = {
    globals: {},
    create: (flags) => ({
      requestAdapter: async (options) => {
        requests.push({ flags: flags.join(','), options });
        return byFlags[flags.join(',')] ?? null;
      },
    }),
  };
  const activated: AdapterLike[] = [];
  const webgpu = { provider: async () => provider, activate: async (a: AdapterLike) => void activated.push(a) };
  return { webgpu, requests, activated };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the backend ladder and WebGPU adapters', () => {
  it('takes a hardware adapter, after CUDA, and names the GPU', async () => {
    const dawn = fakeDawn({ '': H200 });
    const info = await initBackend({ webgpu: dawn.webgpu });
    expect(info.name).toBe('webgpu');
    expect(dawn.activated).toEqual([H200]);
    expect(info.gpu).toMatchObject({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', software: false });
    expect(info.detail).toContain('nvidia hopper NVIDIA H200');
    expect(info.skipped).toEqual([{ name: 'tensorflow-gpu', reason: 'package not installed' }]);
  });

  it('skips a software adapter unless LOOKALIKE_BACKEND=webgpu, and says how to force it', async () => {
    const dawn = fakeDawn({ '': LLVMPIPE });
    const info = await initBackend({ webgpu: dawn.webgpu });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(dawn.activated).toEqual([]);
    const webgpu = info.skipped.find((s) => s.name === 'webgpu');
    expect(webgpu?.reason).toMatch(/software adapter \(llvmpipe.*LOOKALIKE_BACKEND=webgpu/);

    vi.stubEnv('LOOKALIKE_BACKEND', 'webgpu');
    const forced = await initBackend({ webgpu: dawn.webgpu });
    expect(forced.name).toBe('webgpu');
    expect(forced.gpu?.software).toBe(true);
    expect(forced.detail).toMatch(/software adapter/);
  });

  it('treats an adapter Dawn marks as a fallback as software', async () => {
    const swiftshader = adapter({ vendor: 'google', architecture: '', device: 'Subzero', description: '', isFallbackAdapter: true });
    const info = await initBackend({ webgpu: fakeDawn({ '': swiftshader }).webgpu });
    expect(info.skipped.find((s) => s.name === 'webgpu')?.reason).toMatch(/software adapter/);
  });

  it('moves on to the next backend with the reason when there is no adapter', async () => {
    const dawn = fakeDawn({});
    const info = await initBackend({ webgpu: dawn.webgpu });
    expect(info.name).toBe('wasm');
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow']);
    expect(info.skipped[1].reason).toMatch(/no WebGPU adapter/);
    // Unforced, the slow OpenGL ES fallback is not even looked for.
    expect(dawn.requests.map((r) => r.flags)).toEqual(['']);
  });

  it('forced with no hardware adapter, asks OpenGL ES for a compatibility adapter, surfaceless', async () => {
    vi.stubEnv('LOOKALIKE_BACKEND', 'webgpu');
    vi.stubEnv('EGL_PLATFORM', '');
    delete process.env.EGL_PLATFORM;
    vi.stubEnv('DISPLAY', '');
    delete process.env.DISPLAY;
    vi.stubEnv('WAYLAND_DISPLAY', '');
    delete process.env.WAYLAND_DISPLAY;
    const dawn = fakeDawn({ 'backend=opengles': LLVMPIPE });
    const info = await initBackend({ webgpu: dawn.webgpu });
    expect(info.name).toBe('webgpu');
    expect(info.gpu?.device).toMatch(/llvmpipe/);
    expect(dawn.requests[1]).toMatchObject({ flags: 'backend=opengles', options: { featureLevel: 'compatibility' } });
    expect(process.env.EGL_PLATFORM).toBe('surfaceless');
  });

  it('forced with no adapter at all fails, naming what to install', async () => {
    vi.stubEnv('LOOKALIKE_BACKEND', 'webgpu');
    await expect(initBackend({ webgpu: fakeDawn({}).webgpu })).rejects.toThrow(/webgpu: no WebGPU adapter, not even OpenGL ES.*libegl1/);
  });

  it('without the Vulkan loader, does not ask Dawn (which would warn on the terminal) and names the missing driver', async () => {
    const dawn = fakeDawn({ '': H200 });
    const info = await initBackend({ webgpu: { ...dawn.webgpu, vulkan: () => false } });
    expect(info.name).toBe('wasm');
    expect(info.skipped[1]).toEqual({ name: 'webgpu', reason: 'no WebGPU adapter: no Vulkan driver installed (libvulkan.so.1 not found)' });
    expect(dawn.requests).toEqual([]);
    // Forced, it goes straight to OpenGL ES.
    vi.stubEnv('LOOKALIKE_BACKEND', 'webgpu');
    const gles = fakeDawn({ '': H200, 'backend=opengles': LLVMPIPE });
    const forced = await initBackend({ webgpu: { ...gles.webgpu, vulkan: () => false } });
    expect(forced.gpu?.device).toMatch(/llvmpipe/);
    expect(gles.requests.map((r) => r.flags)).toEqual(['backend=opengles']);
  });

  it('finds the Vulkan loader as the dynamic linker would: LD_LIBRARY_PATH or its cache', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vulkan-'));
    try {
      const cache = path.join(dir, 'ld.so.cache');
      writeFileSync(cache, 'glibc-ld.so.cache1.1\0libc.so.6\0');
      expect(vulkanLoaderFound({}, cache)).toBe(existsSync('/usr/lib/libvulkan.so.1') || existsSync('/lib/libvulkan.so.1') || existsSync('/usr/lib64/libvulkan.so.1') || existsSync('/lib64/libvulkan.so.1'));
      writeFileSync(cache, 'glibc-ld.so.cache1.1\0libvulkan.so.1\0');
      expect(vulkanLoaderFound({}, cache)).toBe(true);
      writeFileSync(path.join(dir, 'libvulkan.so.1'), '');
      expect(vulkanLoaderFound({ LD_LIBRARY_PATH: `/nowhere:${dir}` }, path.join(dir, 'none'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports Dawn missing as a package not installed', async () => {
    const missing = async (): Promise<GpuProvider> => {
      throw Object.assign(new Error("Cannot find package 'webgpu'"), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    const info = await initBackend({ webgpu: { provider: missing } });
    expect(info.skipped.find((s) => s.name === 'webgpu')).toEqual({ name: 'webgpu', reason: 'package not installed' });
  });
});
