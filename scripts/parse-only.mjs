// The physical floor of `expand` for bench:scale: a process that only reads the given YAML files
// and parses them with the `yaml` package (YAML 1.1, merge keys, `!reference` known), to plain values.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const reference = [
  { tag: '!reference', collection: 'seq', resolve: (v) => v },
  { tag: '!reference', resolve: (v) => v },
];
let documents = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1', merge: true, uniqueKeys: false, customTags: reference })) {
    doc.toJS({ maxAliasCount: -1 });
    documents++;
  }
}
process.stdout.write(`${documents}\n`);
