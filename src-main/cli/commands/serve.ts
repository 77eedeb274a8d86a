import path from 'node:path';
import { EngineProcess } from '../../link/engine-process.js';
import { checkedLock, describeHolder, LibraryLock, servedUrl, silentServe } from '../../link/library-lock.js';
import { rendererDir } from '../../common/renderer-dir.js';
import { startServer } from '../../server/server.js';
import { num, type Command } from './command.js';

export const serve: Command = {
  synopsis: 'serve [--port P] [--print-url]',
  summary: 'the app in your browser, on 127.0.0.1 (for machines without a screen); --print-url prints the address of the one running',
  options: { port: { type: 'string' }, 'print-url': { type: 'boolean' } },
  async run({ library, values }) {
    if (values['print-url'] === true) {
      const url = servedUrl(library);
      if (url) console.log(url);
      else console.error(`lookalike serve: none is running for ${library}; start one with \`lookalike serve\``);
      return url ? 0 : 1;
    }
    const held = await checkedLock(library);
    if (held?.answers === true) {
      // Already served: give the address again rather than start a second engine.
      console.log(`Lookalike is already running at ${servedUrl(library)}`);
      return 0;
    }
    if (held?.answers === false) throw new Error(silentServe(held));
    const lock = LibraryLock.acquire(library, 'serve', 'lookalike serve');
    if ('heldBy' in lock) throw new Error(`${describeHolder(lock.heldBy)}; close it first`);
    try {
      const engine = await EngineProcess.start(library, {
        onRestart: (message) => console.error(message),
      });
      let staticDir: string;
      try {
        staticDir = rendererDir();
      } catch (err) {
        // Commands on this library still reach the engine through the API.
        console.error(`${(err as Error).message}; serving the API only`);
        staticDir = path.join(library, '.no-ui');
      }
      const server = await startServer({ engine, staticDir, port: num('port', values.port) });
      // Other commands on this library send their calls here (see withEngine).
      lock.advertise(`http://127.0.0.1:${server.port}`, server.token);
      console.log(`Lookalike is running at ${server.url}`);
      console.log(`library: ${library}`);
      console.log('Lost this address? `lookalike serve --print-url` prints it again.');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await engine.close();
    } finally {
      lock.release();
    }
  },
};
