import { EngineProcess } from '../../link/engine-process.js';
import { rendererDir } from '../../common/renderer-dir.js';
import { startServer } from '../../server/server.js';
import { num, type Command } from './command.js';

export const serve: Command = {
  synopsis: 'serve [--port P]',
  summary: 'the app in your browser, on 127.0.0.1 (for machines without a screen)',
  options: { port: { type: 'string' } },
  async run({ library, values }) {
    const engine = await EngineProcess.start(library, {
      onRestart: (message) => console.error(message),
    });
    const server = await startServer({ engine, staticDir: rendererDir(), port: num('port', values.port) });
    console.log(`Lookalike is running at ${server.url}`);
    console.log(`library: ${library}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await engine.close();
  },
};
