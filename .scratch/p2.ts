import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import sharp from 'sharp';
import { initBackend } from '../src-main/model/backend.js';
process.env.LOOKALIKE_BACKEND = 'webgpu';
console.log(sharp.versions);
const info = await initBackend();
console.log(info.name, tf.getBackend());
const x = tf.ones([2, 2]); console.log(await x.add(1).data());
