// Bundles the extension, the language server and the CLI with esbuild.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };
await Promise.all([
  build({ ...common, entryPoints: ['server/src/cli/index.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  ...(await exists('server/src/server.ts') ? [build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' })] : []),
  ...(await exists('client/src/extension.ts') ? [build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] })] : []),
  ...(await exists('client/src/webview/main.ts') ? [build({ ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['client/src/webview/main.ts'], outfile: 'dist/webview.js' })] : []),
]);

async function exists(p) {
  const { access } = await import('node:fs/promises');
  return access(p).then(() => true, () => false);
}
