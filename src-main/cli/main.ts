// Entry of the `lookalike` command.
import { exactArgs } from '../common/byte-paths.js';
import { run } from './cli.js';

// The arguments' exact bytes: a file name that is not UTF-8 must name the file, and match the
// photo the catalog keeps under it.
process.exitCode = await run(exactArgs(process.argv.slice(2)));
