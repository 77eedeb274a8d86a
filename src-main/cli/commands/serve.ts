import { EngineProcess } from '../../engine/child.js';
import { rendererDir } from '../../server/renderer-dir.js';
import { startServer } from '../../server/server.js';
import { readServeUrl, removeServeUrl, writeServeUrl } from '../serve-url.js';
import { num, type Command } from './command.js';

export const serve: Command = {
  synopsis: 'serve [--port P] [--print-url]',
  summary: 'the app in your browser, on 127.0.0.1 (for machines without a screen); --print-url prints the address of the one running',
  options: { port: { type: 'string' }, 'print-url': { type: 'boolean' } },
  async run({ library, values }) {
    if (values['print-url'] === true) {
      const url = readServeUrl(library);
      if (url) console.log(url);
      else console.error(`lookalike serve: none is running for ${library}; start one with \`lookalike serve\``);
      return url ? 0 : 1;
    }
    const engine = await EngineProcess.start(library, {
      onRestart: (message) => console.error(message),
    });
    const server = await startServer({ engine, staticDir: rendererDir(), port: num('port', values.port) });
    writeServeUrl(library, server.url);
    console.log(`Lookalike is running at ${server.url}`);
    console.log(`library: ${library}`);
    console.log('Lost this address? `lookalike serve --print-url` prints it again.');
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    removeServeUrl(library);
    await server.close();
    await engine.close();
  },
};
