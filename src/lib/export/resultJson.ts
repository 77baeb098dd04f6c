import type { ResultDocument } from '../result/schema';

/** The document as it is published: pretty printed so it diffs well, and ready for `kleinscope publish`. */
export function resultToJson(doc: ResultDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

/** A file name from the title (or the source), safe on every file system. */
export function exportFileName(doc: Pick<ResultDocument, 'title' | 'source'>, suffix: string, ext: string): string {
  const base =
    doc.title || [doc.source.dataset, doc.source.architecture, doc.source.layerName].filter(Boolean).join('-');
  const slug = base
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\w-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()
    .slice(0, 60);
  return `${slug || 'kleinscope'}${suffix ? '-' + suffix : ''}.${ext}`;
}
