// Copies the non-TypeScript files the compiled code loads at run time (the RPC .proto) next to it in dist/.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
for (const dir of ['gateway/proto']) {
  fs.cpSync(path.join(root, dir), path.join(root, 'dist', dir), { recursive: true });
}
