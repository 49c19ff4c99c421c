// Checks a packaged .vsix: under 2 MB, holds the bundled extension, server and webview, and no
// sources, tests, maps or node_modules. Prints its size and file count.
import { readFileSync, statSync } from 'node:fs';


const file = process.argv[2] ?? 'gitlab-ci-presets.vsix';
const buf = readFileSync(file);
const names = [];
// Walk the zip's central directory (signature 0x02014b50).
const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
if (eocd < 0) throw new Error(`${file}: not a zip`);
let off = buf.readUInt32LE(eocd + 16);
const count = buf.readUInt16LE(eocd + 10);
for (let i = 0; i < count; i++) {
  const nameLen = buf.readUInt16LE(off + 28);
  const extraLen = buf.readUInt16LE(off + 30);
  const commentLen = buf.readUInt16LE(off + 32);
  names.push(buf.subarray(off + 46, off + 46 + nameLen).toString('utf8'));
  off += 46 + nameLen + extraLen + commentLen;
}
const size = statSync(file).size;
const problems = [];
if (size >= 2 * 1024 * 1024) problems.push(`size ${size} bytes is not under 2 MB`);
for (const needed of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/server.js', 'extension/dist/webview.js', 'extension/client/media/preview.css']) {
  if (!names.includes(needed)) problems.push(`missing ${needed}`);
}
for (const n of names) {
  if (/\.map$|\.ts$|^extension\/(test|scripts|server\/src|client\/src|node_modules|examples)\//.test(n)) problems.push(`should not be packaged: ${n}`);
}
console.log(`${file}: ${(size / 1024).toFixed(1)} KiB, ${names.length} files`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
