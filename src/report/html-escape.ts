// Escaping for everything the HTML report prints that came from outside (prompts, answers,
// agent ids, error messages): text can never become markup, in content or in attributes.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  // Control characters (other than tab/newline) are not allowed in XML-ish SVG text; drop them.

  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}
