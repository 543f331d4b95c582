// `tidings <command>`: the admin's command line, built on the same deps as the service.
import { tuneHeap } from '../runtime.js';
import { reportFailure } from './context.js';
import { buildProgram } from './program.js';

tuneHeap();

process.on('unhandledRejection', async (err) => {
  process.exitCode = await reportFailure(err);
});

await buildProgram().parseAsync(process.argv);
