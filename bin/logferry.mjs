#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so a fresh clone works after `npm install` with no build step,
// and third-party plugins loaded with -p may be written in TypeScript too.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
