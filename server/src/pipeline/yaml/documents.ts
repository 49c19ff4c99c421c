/**
 * Which documents of a CI file GitLab reads (Gitlab::Config::Loader::MultiDocYaml with
 * `max_documents: 2, reject_empty: true`, then Gitlab::Ci::Config::Yaml::Result):
 *
 * - The text is cut at lines starting with `---` and a space or line break, into at most three
 *   pieces; a blank piece before the first divider is dropped, so a file starting with `---` keeps
 *   two. The last piece's later documents are never read.
 * - Blank documents (nothing, `{}`, `[]`, an empty string) are dropped.
 * - With more than one document left and a first one holding `spec:`, that one is the header and
 *   the last one the configuration; else the first one is the configuration. Any document between
 *   is read but unused.
 * - Every document read must be a hash ("Invalid configuration format").
 *
 * One deviation, for files being written: a `spec:` header over a blank configuration stays a header.
 */
import { isMap as yIsMap, isScalar as yIsScalar, isSeq as yIsSeq } from 'yaml';
import type { Document } from 'yaml';

export interface GitlabDocuments {
  header?: Document.Parsed;
  content?: Document.Parsed;
  /** Documents GitLab reads but does not use, or never reads. */
  ignored: Document.Parsed[];
  /** Documents GitLab reads that are not hashes. */
  notHash: Document.Parsed[];
}

const DIVIDER = /^---\s/m;

function blank(doc: Document.Parsed): boolean {
  const c = doc.contents;
  if (c === null || c === undefined) return true;
  if ((yIsMap(c) || yIsSeq(c)) && c.items.length === 0) return true;
  return yIsScalar(c) && (c.value === null || c.value === '' || c.value === false);
}

export function gitlabDocuments(text: string, docs: Document.Parsed[]): GitlabDocuments {
  if (docs.length <= 1) return { content: docs[0], ignored: [], notHash: [] };
  const first = DIVIDER.exec(text);
  const leadingBlank = !!first && text.slice(0, first.index).split('\n').every((line) => /^\s*(#.*)?$/.test(line));
  const limit = leadingBlank ? 2 : 3;
  const read = docs.slice(0, limit).filter((d) => !blank(d));
  const ignored = docs.slice(limit).filter((d) => !blank(d));
  const isSpec = (d: Document.Parsed | undefined) => {
    const c = d?.contents;
    return yIsMap(c) && c.items.some((p) => yIsScalar(p.key) && p.key.value === 'spec');
  };
  // A header over a blank configuration (`{}`, or none yet while it is being written) stays a
  // header here: GitLab drops the blank document and reads the header as the configuration, which
  // it rejects either way (a `spec` job, or inputs "not defined in the `spec` section").
  if (read.length === 1 && read[0] === docs[0] && isSpec(docs[0])) return { header: docs[0], content: docs[1], ignored, notHash: [] };
  const hasHeader = read.length > 1 && isSpec(read[0]);
  const header = hasHeader ? read[0] : undefined;
  const content = hasHeader ? read[read.length - 1] : read[0];
  for (const d of read) if (d !== header && d !== content) ignored.push(d);
  const notHash = read.filter((d) => d !== content && !yIsMap(d.contents));
  return { header, content, ignored, notHash };
}
