import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/model/backend.js';
process.env.LOOKALIKE_BACKEND = 'webgpu';
const info = await initBackend();
console.log(info, tf.getBackend());
const x = tf.ones([2, 2]); console.log(await x.add(1).data());
