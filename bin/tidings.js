#!/usr/bin/env node
// The published entry point: loads the TypeScript sources through tsx so `npx tidings` and
// `npm start` need no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
