// Runs one import in its own process, for tests that kill it or run it as another user.
// Usage: tsx import-child.ts LIBRARY_DIR ROOT...
// Prints one JSON line per progress event ({"progress": ...}) and the result ({"result": ...}).
import { runImport } from '../../../src-main/ingest/import-job.js';
import { Catalog } from '../../../src-main/library/catalog.js';

const [libraryDir, ...roots] = process.argv.slice(2);
const catalog = Catalog.open(libraryDir);
const result = await runImport(catalog, roots, {
  concurrency: 2,
  onProgress: (progress) => process.stdout.write(`${JSON.stringify({ progress })}\n`),
});
process.stdout.write(`${JSON.stringify({ result })}\n`);
catalog.close();
