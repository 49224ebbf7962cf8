#!/usr/bin/env node
import { main } from './program.js';

// A reader that stops early (`symgrad derive lenet.json | head`) closes the pipe; that ends
// the run quietly rather than with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

process.exitCode = await main(process.argv);
