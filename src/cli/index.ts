// `tidings <command>`: the admin's command line, built on the same deps as the service.
import { reportError } from './context.js';
import { buildProgram } from './program.js';

process.on('unhandledRejection', (err) => {
  process.exitCode = reportError(err);
});

await buildProgram().parseAsync(process.argv);
