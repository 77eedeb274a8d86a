// Runs one import and its CNN pass in its own process, in chunks of 4, for a test that kills it.
// Usage: tsx embed-child.ts LIBRARY_DIR ROOT. Prints {"done": n, "total": n} per embedded photo.
import { Engine } from '../../../src-main/engine/engine.js';
import { runImport } from '../../../src-main/ingest/import-job.js';

const [libraryDir, root] = process.argv.slice(2);
const engine = await Engine.open(libraryDir);
await runImport(engine.catalog, [root]);
const vectors = await engine.vectors();
await vectors.embedPending({ chunkSize: 4, onProgress: (done, total) => process.stdout.write(`${JSON.stringify({ done, total })}\n`) });
await engine.close();
