// Gradient kernels that stock tfjs-backend-wasm 4.22 lacks and that fine-tuning MobileNetV2's
// last blocks needs (a backward pass through block_15, block_16 and Conv_1 asks for exactly
// these three; Conv2DBackpropInput, BatchNorm, ReLU6, Add and AvgPool grads already exist).
//
// - Conv2DBackpropFilter does the heavy work of a training step (Conv_1 alone is 320×1280 per
//   pixel), so it builds the transposed im2col matrix in JavaScript and hands the product to
//   wasm's own BatchMatMul (SIMD, threads when available), both operands untransposed because
//   stock wasm's transposed matMul is ~10× slower (MEASURED.md).
// - The depthwise gradients are ~9 multiply-adds per activation; plain typed-array loops
//   are a few milliseconds at 7×7×960×16 and need no wasm support.
// Inputs are read as views of the wasm heap; every allocation may grow (and so detach) the heap,
// so views are taken again after each makeOutput.
import * as tf from '@tensorflow/tfjs';
// Loaded here so its stock kernels are registered before registerWasmGradKernels looks for them
// (it registers the backend only; initBackend still decides which backend runs).
import '@tensorflow/tfjs-backend-wasm';
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';

/** What these kernels use of the wasm backend (its class is not exported with types we can import). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: backend_util.BackendValues): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): backend_util.TypedArray;
  disposeData(dataId: object, force?: boolean): boolean;
}

type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function heapF32(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`wasm grad kernels take float32, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** dW[kh,kw,ci,co] = Σ patches(x)ᵀ · dy, as one wasm matrix product. */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as unknown as WasmBackendLike;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode: Rounding;
    filterShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm: only NHWC is supported');
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rows = kh * kw * ci; // one row per filter tap and input channel
  const cols = n * oh * ow; // one column per output pixel

  // patchesT[(i*kw + j)*ci + c, (b*oh + y)*ow + xo] = x[b, y*sh + i*dh - top, xo*sw + j*dw - left, c]
  const patchesT = backend.makeOutput([1, rows, cols], 'float32');
  const dy3 = { dataId: dy.dataId, shape: [1, cols, co], dtype: dy.dtype } as TensorInfo;
  try {
    const xs = heapF32(backend, x);
    const pt = heapF32(backend, patchesT);
    pt.fill(0);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const tapRow = (i * kw + j) * ci;
        for (let bi = 0; bi < n; bi++) {
          for (let y = 0; y < oh; y++) {
            const iy = y * sh + i * dh - top;
            if (iy < 0 || iy >= h) continue;
            for (let xo = 0; xo < ow; xo++) {
              const ix = xo * sw + j * dw - left;
              if (ix < 0 || ix >= w) continue;
              const src = ((bi * h + iy) * w + ix) * ci;
              const col = (bi * oh + y) * ow + xo;
              for (let c = 0; c < ci; c++) pt[(tapRow + c) * cols + col] = xs[src + c];
            }
          }
        }
      }
    }
    const out = wasmMatMul(b, patchesT, dy3);
    return { dataId: out.dataId, shape: [...filterShape], dtype: 'float32' };
  } finally {
    backend.disposeData(patchesT.dataId);
  }
};

/**
 * Stock wasm's Conv2DBackpropInput takes ~0.1–0.27 s per 1×1 layer of the tail at batch 16
 * (two thirds of a step). For a 1×1, stride-1, unpadded convolution the input gradient is one
 * matrix product, dx[pixels, ci] = dy[pixels, co] · Wᵀ[co, ci], so that case goes to wasm's
 * BatchMatMul; every other case goes to the stock kernel, whose setupFunc is kept for it.
 */
function conv2DBackpropInputWith(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { inputs, backend: b, attrs } = args;
    const backend = b as unknown as WasmBackendLike;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as {
      strides: [number, number] | number; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode: Rounding;
      inputShape: [number, number, number, number];
    };
    if (dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return stock.kernelFunc(args);
    const info = backend_util.computeConv2DInfo(
      inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const p = info.padInfo;
    const pointwise = info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 &&
      p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0;
    if (!pointwise) return stock.kernelFunc(args);
    const ci = info.inChannels;
    const co = info.outChannels;
    const pixels = info.batchSize * info.outHeight * info.outWidth;
    const filterT = backend.makeOutput([1, co, ci], 'float32');
    try {
      const wSrc = heapF32(backend, filter);
      const wT = heapF32(backend, filterT);
      for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) wT[o * ci + c] = wSrc[c * co + o];
      const dy3 = { dataId: dy.dataId, shape: [1, pixels, co], dtype: dy.dtype } as TensorInfo;
      const out = wasmMatMul(b, dy3, filterT);
      return { dataId: out.dataId, shape: [...inputShape], dtype: 'float32' };
    } finally {
      backend.disposeData(filterT.dataId);
    }
  };
}

/** a·b through wasm's own BatchMatMul kernel (both rank 3, untransposed). */
function wasmMatMul(backend: unknown, a: TensorInfo, b: TensorInfo): TensorInfo {
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!matMul) throw new Error('wasm BatchMatMul kernel missing');
  return matMul.kernelFunc({
    inputs: { a, b }, backend: backend as tf.KernelBackend, attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
}

interface DepthwiseAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: Pad;
  dimRoundingMode: Rounding;
}

function depthwiseInfo(inShape: number[], filterShape: number[], a: DepthwiseAttrs): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    inShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides, a.dilations, a.pad, a.dimRoundingMode, true, 'channelsLast');
}

/** dW[i,j,c,q] = Σ_{b,y,x} x[b, y*s+i-top, x*s+j-left, c] · dy[b, y, x, c*m+q]. */
const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as unknown as WasmBackendLike;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  const info = depthwiseInfo(x.shape, a.filterShape, a);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const m = co / ci;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const out = backend.makeOutput([...a.filterShape], 'float32');
  const xs = heapF32(backend, x);
  const dys = heapF32(backend, dy);
  const dW = heapF32(backend, out);
  dW.fill(0);
  for (let bi = 0; bi < n; bi++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        const dyBase = ((bi * oh + y) * ow + xo) * co;
        for (let i = 0; i < kh; i++) {
          const iy = y * sh + i * dh - top;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = xo * sw + j * dw - left;
            if (ix < 0 || ix >= w) continue;
            const xBase = ((bi * h + iy) * w + ix) * ci;
            const wBase = (i * kw + j) * co; // filter [kh,kw,ci,m] flattens to [kh,kw,ci*m]
            if (m === 1) {
              for (let c = 0; c < ci; c++) dW[wBase + c] += xs[xBase + c] * dys[dyBase + c];
            } else {
              for (let k = 0; k < co; k++) dW[wBase + k] += xs[xBase + ((k / m) | 0)] * dys[dyBase + k];
            }
          }
        }
      }
    }
  }
  return out;
};

/** dx[b, y*s+i-top, x*s+j-left, c] += Σ_q dy[b, y, x, c*m+q] · W[i,j,c,q]. */
const depthwiseBackpropInput: KernelFunc = ({ inputs, backend: b, attrs }) => {
  const backend = b as unknown as WasmBackendLike;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  const info = depthwiseInfo(a.inputShape, filter.shape, a);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const m = co / ci;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const out = backend.makeOutput([...a.inputShape], 'float32');
  const dys = heapF32(backend, dy);
  const ws = heapF32(backend, filter);
  const dx = heapF32(backend, out);
  dx.fill(0);
  for (let bi = 0; bi < n; bi++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        const dyBase = ((bi * oh + y) * ow + xo) * co;
        for (let i = 0; i < kh; i++) {
          const iy = y * sh + i * dh - top;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = xo * sw + j * dw - left;
            if (ix < 0 || ix >= w) continue;
            const xBase = ((bi * h + iy) * w + ix) * ci;
            const wBase = (i * kw + j) * co;
            if (m === 1) {
              for (let c = 0; c < ci; c++) dx[xBase + c] += dys[dyBase + c] * ws[wBase + c];
            } else {
              for (let k = 0; k < co; k++) dx[xBase + ((k / m) | 0)] += dys[dyBase + k] * ws[wBase + k];
            }
          }
        }
      }
    }
  }
  return out;
};

const KERNELS: KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilter },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInput },
];

/** Marks our replacement of a stock kernel, so a second registration call can recognise it. */
const REPLACED = Symbol('lookalike wasm grad kernel');
type MarkedKernelFunc = KernelFunc & { [REPLACED]?: true };

/**
 * Registers the missing gradient kernels for the wasm backend, and the faster pointwise
 * Conv2DBackpropInput in place of the stock one (keeping its setupFunc, which the stock path
 * still needs). Idempotent: a missing kernel that is already registered (by an earlier call, or
 * by a future tfjs-backend-wasm that ships its own) is left alone, and the replacement happens
 * once. Returns the names it registered in this call.
 */
export function registerWasmGradKernels(): string[] {
  const added: string[] = [];
  for (const k of KERNELS) {
    if (tf.getKernel(k.kernelName, k.backendName)) continue;
    tf.registerKernel(k);
    added.push(k.kernelName);
  }
  const stock = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (stock && !(stock.kernelFunc as MarkedKernelFunc)[REPLACED]) {
    const stockCopy: KernelConfig = { ...stock };
    const kernelFunc: MarkedKernelFunc = conv2DBackpropInputWith(stockCopy);
    kernelFunc[REPLACED] = true;
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc, setupFunc: stock.setupFunc, disposeFunc: stock.disposeFunc });
    added.push('Conv2DBackpropInput');
  }
  return added;
}

/** Names of the kernels this module provides or replaces, e.g. for status output. */
export const WASM_GRAD_KERNEL_NAMES: readonly string[] = [...KERNELS.map((k) => k.kernelName), 'Conv2DBackpropInput'];
