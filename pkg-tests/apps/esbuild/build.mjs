// The server bundled by esbuild for Node as a user would, with no option for jwksgate: one ES
// module bundle and one CommonJS bundle, each self-contained.
import { build } from 'esbuild';

for (const format of ['esm', 'cjs']) {
  await build({
    entryPoints: ['server.mjs'], bundle: true, platform: 'node', format, logLevel: 'warning',
    outfile: `dist/server.${format === 'esm' ? 'mjs' : 'cjs'}`,
  });
}
