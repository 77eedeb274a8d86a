// Worker-thread entry: owns one wasm backend and one copy of the backbone, and answers batches.
// Each worker_thread gets its own wasm instance, which is how two cores get used: tfjs does not
// enable wasm threads under Node.
import { parentPort, workerData } from 'node:worker_threads';
import { createBatchInference } from './inference.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('extract-worker must run in a worker thread');

const setup = workerData as WorkerSetup;
const post = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

try {
  const inference = await createBatchInference(setup.inference);
  post({ type: 'ready', backend: inference.backend, backboneId: inference.backboneId, featureId: inference.featureId, dim: inference.dim });
  port.on('message', (m: WorkerRequest) => {
    if (m.type === 'close') {
      inference.dispose();
      port.close();
      return;
    }
    try {
      const rows = inference.run(m.pixels, m.n, m.descriptor);
      // dataSync may return a view on a shared/pooled buffer; copy so the transfer owns its memory.
      const copy = new Float32Array(rows);
      post({ type: 'result', id: m.id, features: copy }, [copy.buffer]);
    } catch (err) {
      post({ type: 'error', id: m.id, message: String((err as Error)?.message ?? err) });
    }
  });
} catch (err) {
  post({ type: 'failed', message: String((err as Error)?.message ?? err) });
}
