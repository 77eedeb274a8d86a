import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { initBackend } from '../src-main/model/backend.js';
process.env.LOOKALIKE_BACKEND = 'webgpu';
const info = await initBackend();
console.log(info.name, tf.getBackend());
const buf = await sharp(Buffer.alloc(96*80*3, 100), { raw: { width: 96, height: 80, channels: 3 } }).png().toBuffer();
console.log('png', buf.length);
const x = tf.ones([2, 2]); console.log(await x.add(1).data());
