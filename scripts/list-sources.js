// Prints every C++ source under src-native/ (one per line, sorted) for binding.gyp, so adding a
// file never needs an edit there. Runs at configure time under node-gyp.
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..');
const out = [];
(function walk(dir) {
  for (const ent of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, ent.name);
    if (ent.isDirectory()) walk(rel);
    else if (ent.name.endsWith('.cc')) out.push(rel);
  }
})('src-native');
out.sort();
process.stdout.write(out.join('\n') + '\n');
