#!/usr/bin/env node
// The pfwork command. Runs the TypeScript sources through tsx's loader (no
// build step); the same loader lets handlers be written in TypeScript.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
