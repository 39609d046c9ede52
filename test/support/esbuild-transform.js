import { transformSync } from 'esbuild';

// Jest's ESM mode needs synchronous transforms; esbuild strips types without type-checking
// (tsc --noEmit does that part of the job in `npm test`).
export default {
  process(sourceText, sourcePath) {
    const { code, map } = transformSync(sourceText, {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      sourcemap: 'both',
      sourcefile: sourcePath,
    });
    return { code, map };
  },
};
