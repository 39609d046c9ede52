import { main } from './main.js';

// The bundle's entry: run, then let pending output drain before exiting with the code.
const code = await main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
process.exitCode = code;
