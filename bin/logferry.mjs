#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so a fresh clone works after `npm install` with no build step,
// and third-party plugins loaded with -p may be written in TypeScript too.
import { register } from 'tsx/esm/api';

// The AWS SDK is pinned to a release that supports Node 20; its notice about future releases is not for operators.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../src/cli/main.ts');
