// ESM entry point (`import { startServer } from 'node-httpuv'`), picked by the "import"
// condition of package.json "exports". It re-exports the CommonJS build, so `require` and
// `import` share one module instance and one native addon state (no dual-package hazard).
// Node exposes the CommonJS named exports to ESM (cjs-module-lexer reads tsc's output).
import httpuv from './index.js';

export * from './index.js';
export default httpuv;
