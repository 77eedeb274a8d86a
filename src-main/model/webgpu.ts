// WebGPU through Dawn's Node-API addon (the `webgpu` package): Vulkan on Linux, Metal on macOS,
// D3D12 on Windows, with nothing to install beyond the npm package. The ladder in backend.ts
// takes a hardware adapter only; a software one (Mesa's llvmpipe, SwiftShader) runs the CNN at
// ~2 images/s and is used only when the user forces LOOKALIKE_BACKEND=webgpu. Forced, with no
// hardware adapter, Dawn's OpenGL ES backend on llvmpipe is tried: real WebGPU on the CPU, which
// is how tests and CI run this path (../shared/GPU.md).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** What Dawn says about the adapter, plus the limits batch sizing needs. */
export interface GpuInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (llvmpipe, SwiftShader, ...), not a graphics card. */
  software: boolean;
  /** Dawn's backend: 'default' (Vulkan / Metal / D3D12) or 'opengles' (the forced fallback). */
  api: 'default' | 'opengles';
  /** Largest storage-buffer binding in bytes: no tensor may exceed it. */
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** The slice of Dawn's module this file uses; tests inject fakes of it. */
export interface GpuProvider {
  create(flags: string[]): GpuLike;
  globals: object;
}

export interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<AdapterLike | null>;
}

export interface AdapterLike {
  readonly info?: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> & { isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
  readonly limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
  readonly features: ReadonlySet<string>;
  requestDevice(descriptor?: unknown): Promise<unknown>;
  requestAdapterInfo?(hints?: string[]): Promise<Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>>>;
}

export interface WebGpuOptions {
  /** LOOKALIKE_BACKEND=webgpu: accept a software adapter, and try Dawn's OpenGL ES backend. */
  forced: boolean;
  /** Dawn's module; default: import('webgpu'). */
  provider?: () => Promise<GpuProvider>;
  /**
   * Registers and selects tfjs's webgpu backend on the chosen adapter. Default: the real one.
   * Tests of the ladder's choice replace it, since a hardware adapter cannot be faked into tfjs.
   */
  activate?: (adapter: AdapterLike, provider: GpuProvider) => Promise<void>;
  /**
   * Whether Dawn can load Vulkan. Default: with the real Dawn on Linux, whether the Vulkan loader
   * (libvulkan.so.1) is installed (vulkanLoaderFound); a provider given by a test has it.
   */
  vulkan?: () => boolean;
}

/** The Vulkan loader's file, which Dawn opens on Linux. */
export const VULKAN_LOADER = 'libvulkan.so.1';

/**
 * Whether the dynamic linker would find the Vulkan loader: in LD_LIBRARY_PATH, in its cache
 * (/etc/ld.so.cache names every library it indexes), or in the default folders. Asked before
 * Dawn is, because Dawn, failing to open it, writes a warning with its build paths straight to
 * the terminal from native code, where no JavaScript can catch it.
 */
export function vulkanLoaderFound(env: NodeJS.ProcessEnv = process.env, cache = '/etc/ld.so.cache'): boolean {
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/lib', '/usr/lib', '/lib64', '/usr/lib64'];
  if (dirs.some((dir) => existsSync(path.join(dir, VULKAN_LOADER)))) return true;
  try {
    return readFileSync(cache).includes(VULKAN_LOADER);
  } catch {
    return false;
  }
}

/**
 * Every Dawn instance made stays referenced for the life of the process: a collected instance's
 * pending event processing still fires and aborts the process (std::system_error from
 * InstanceBase::ProcessEvents, seen under vitest once the unused first instance was collected).
 */
const instances: GpuLike[] = [];

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render/i;

/** Chooses an adapter, makes tfjs run on it, and describes it. Throws the reason it cannot. */
export async function loadWebGpu(opts: WebGpuOptions): Promise<GpuInfo> {
  const vulkan = (opts.vulkan ?? (() => opts.provider !== undefined || process.platform !== 'linux' || vulkanLoaderFound()))();
  // Without the loader Linux has no hardware adapter to offer: Dawn is not asked (see above).
  if (!vulkan && !opts.forced) throw new Error(`no WebGPU adapter: no Vulkan driver installed (${VULKAN_LOADER} not found)`);
  const provider = await (opts.provider ?? importDawn)();
  let adapter: AdapterLike | null = null;
  if (vulkan) {
    const gpu = provider.create([]);
    instances.push(gpu);
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  }
  let api: GpuInfo['api'] = 'default';
  let info = adapter ? await describeAdapter(adapter, api) : null;
  if (info?.software && !opts.forced) {
    throw new Error(`only a software adapter (${gpuName(info)}); set LOOKALIKE_BACKEND=webgpu to use it anyway`);
  }
  if (!adapter) {
    if (!opts.forced) throw new Error('no WebGPU adapter (no Vulkan, Metal or D3D12 GPU driver found)');
    // No display: Mesa's EGL must be told to run surfaceless or eglInitialize fails.
    if (!process.env.EGL_PLATFORM && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
      process.env.EGL_PLATFORM = 'surfaceless';
    }
    const gles = provider.create(['backend=opengles']);
    instances.push(gles);
    adapter = await compatibilityGpu(gles).requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('no WebGPU adapter, not even OpenGL ES on the CPU (are libegl1 and libgl1-mesa-dri installed?)');
    api = 'opengles';
    info = await describeAdapter(adapter, api);
  }
  await (opts.activate ?? activateTfjs)(adapter, provider);
  return info!;
}

/** "vendor architecture device" as far as Dawn reports them, else the description. */
export function gpuName(info: Pick<GpuInfo, 'vendor' | 'architecture' | 'device' | 'description'>): string {
  const parts = [info.vendor, info.architecture, info.device].filter((s) => s && s.trim());
  const name = parts.join(' ').trim();
  if (name && info.description && !name.includes(info.description)) return `${name} (${info.description})`;
  return name || info.description || 'unnamed adapter';
}

async function importDawn(): Promise<GpuProvider> {
  const mod = (await import('webgpu')) as unknown as GpuProvider;
  return { create: mod.create, globals: mod.globals };
}

/** Dawn's GLES backend offers only compatibility-level adapters; tfjs does not ask for them. */
function compatibilityGpu(gpu: GpuLike): GpuLike {
  return {
    requestAdapter: (options) => gpu.requestAdapter({ ...options, featureLevel: 'compatibility' }),
  };
}

async function describeAdapter(adapter: AdapterLike, api: GpuInfo['api']): Promise<GpuInfo> {
  let fields = adapter.info ?? {};
  // On Vulkan Dawn may leave the names empty unless they are asked for.
  if (!fields.vendor && !fields.device && !fields.description && adapter.requestAdapterInfo) {
    fields = (await adapter.requestAdapterInfo(['vendor', 'architecture', 'device', 'description']).catch(() => undefined)) ?? fields;
  }
  const names = {
    vendor: fields.vendor ?? '',
    architecture: fields.architecture ?? '',
    device: fields.device ?? '',
    description: fields.description ?? '',
  };
  const fallback = adapter.isFallbackAdapter === true || adapter.info?.isFallbackAdapter === true;
  return {
    ...names,
    software: fallback || SOFTWARE.test(Object.values(names).join(' ')),
    api,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  };
}

/**
 * Dawn's globals (GPUBufferUsage, ...) and navigator.gpu must exist BEFORE tfjs's webgpu backend
 * is imported: it registers itself only if navigator.gpu does. navigator.gpu hands tfjs the very
 * adapter chosen here, so the backend runs on what was vetted (and at the compatibility level
 * on OpenGL ES).
 */
async function activateTfjs(adapter: AdapterLike, provider: GpuProvider): Promise<void> {
  for (const [k, v] of Object.entries(provider.globals)) {
    if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  }
  const handed: GpuLike = { requestAdapter: async () => adapter };
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: handed, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu: handed }, configurable: true, writable: true });
  const webgpu = await import('@tensorflow/tfjs-backend-webgpu');
  if (!tf.findBackendFactory('webgpu')) {
    // The package was imported earlier, before navigator.gpu existed, and did not register.
    const Backend = webgpu.WebGPUBackend as unknown as new (device: unknown, info?: unknown) => tf.KernelBackend;
    tf.registerBackend('webgpu', async () => new Backend(await adapter.requestDevice(deviceDescriptor(adapter)), adapter.info), 3);
  }
  const ok = await tf.setBackend('webgpu');
  // setBackend can report success and still leave another backend running: check which runs.
  if (!ok || tf.getBackend() !== 'webgpu') throw new Error('tfjs webgpu backend did not initialise on the adapter');
}

/** The limits tfjs's own registration asks for: the adapter's, so large batches fit. */
function deviceDescriptor(adapter: AdapterLike): Record<string, unknown> {
  const l = adapter.limits as unknown as Record<string, number>;
  const keys = ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize',
    'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'];
  return { requiredLimits: Object.fromEntries(keys.map((k) => [k, l[k]])) };
}
