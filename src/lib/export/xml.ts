/** Escapes text for SVG/XML content and attribute values: titles and labels come from user documents. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function fixed(v: number): string {
  return Number.isFinite(v) ? Number(v.toFixed(2)).toString() : '0';
}
