// `tidings <command>`: the admin's command line, built on the same deps as the service.
import { tuneHeap } from '../runtime.js';
import { reportError } from './context.js';
import { buildProgram } from './program.js';

tuneHeap();

process.on('unhandledRejection', (err) => {
  process.exitCode = reportError(err);
});

await buildProgram().parseAsync(process.argv);
