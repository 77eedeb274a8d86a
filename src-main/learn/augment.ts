// Augmentation for training the whole CNN from pixels, done on the tensor side for a whole batch
// at once so it costs a handful of dispatches per step whatever the batch size: one
// CropAndResize does every photo's random resized crop and its horizontal flip (a box whose x1
// exceeds x2 samples mirrored), then brightness, contrast and saturation are per-photo factors
// broadcast over the batch. Every random draw comes from a seeded JS generator, so a seed gives
// the same batch on every backend.
import * as tf from '@tensorflow/tfjs';

export interface AugmentOptions {
  /** Area of the crop as a fraction of the photo, drawn uniformly in [min, 1] (default 0.35). */
  minScale?: number;
  /** Aspect ratio range of the crop, drawn log-uniformly (default [3/4, 4/3]). */
  ratio?: [number, number];
  /** Probability of a horizontal flip (default 0.5). */
  flip?: number;
  /** Brightness, contrast and saturation factors drawn in [1 − j, 1 + j] (default 0.3, 0.3, 0.3). */
  brightness?: number;
  contrast?: number;
  saturation?: number;
}

/** Per-photo parameters, drawn on the JS side. */
export interface AugmentDraw {
  boxes: number[][];
  brightness: number[];
  contrast: number[];
  saturation: number[];
}

export function drawAugmentation(n: number, random: () => number, opts: AugmentOptions = {}): AugmentDraw {
  const minScale = opts.minScale ?? 0.35;
  const [r0, r1] = opts.ratio ?? [3 / 4, 4 / 3];
  const flip = opts.flip ?? 0.5;
  const jitter = (j: number) => 1 - j + 2 * j * random();
  const draw: AugmentDraw = { boxes: [], brightness: [], contrast: [], saturation: [] };
  for (let i = 0; i < n; i++) {
    const area = minScale + (1 - minScale) * random();
    const ratio = Math.exp(Math.log(r0) + (Math.log(r1) - Math.log(r0)) * random());
    const w = Math.min(1, Math.sqrt(area * ratio));
    const h = Math.min(1, Math.sqrt(area / ratio));
    const y1 = (1 - h) * random();
    const x1 = (1 - w) * random();
    const mirrored = random() < flip;
    draw.boxes.push(mirrored ? [y1, x1 + w, y1 + h, x1] : [y1, x1, y1 + h, x1 + w]);
    draw.brightness.push(jitter(opts.brightness ?? 0.3));
    draw.contrast.push(jitter(opts.contrast ?? 0.3));
    draw.saturation.push(jitter(opts.saturation ?? 0.3));
  }
  return draw;
}

/** Augmented copy of a batch [n,h,w,3] in [0,1], same shape, values in [0,1]. Caller disposes. */
export function augmentBatch(x: tf.Tensor4D, random: () => number, opts: AugmentOptions = {}): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const d = drawAugmentation(n, random, opts);
  return tf.tidy(() => {
    const boxes = tf.tensor2d(d.boxes, [n, 4]);
    const index = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
    let y: tf.Tensor4D = tf.image.cropAndResize(x, boxes, index, [h, w], 'bilinear');
    const perPhoto = (v: number[]) => tf.tensor4d(v, [n, 1, 1, 1]);
    y = tf.mul(y, perPhoto(d.brightness));
    const mean = tf.mean(y, [1, 2, 3], true);
    y = tf.add(tf.mul(tf.sub(y, mean), perPhoto(d.contrast)), mean);
    const grey = tf.sum(tf.mul(y, tf.tensor4d([0.299, 0.587, 0.114], [1, 1, 1, 3])), 3, true);
    y = tf.add(tf.mul(tf.sub(y, grey), perPhoto(d.saturation)), grey);
    return tf.clipByValue(y, 0, 1);
  });
}
