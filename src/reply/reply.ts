// The platform-neutral answer every command returns. Renderers turn it into Discord embeds, Slack blocks or text.

export interface Field { name: string; value: string; inline?: boolean }

export interface Table {
  columns: string[];
  rows: string[][];
  /** 'right' for numeric columns */
  align?: ('left' | 'right')[];
  /** the same table cut to fit ~60 monospace columns (a Discord embed), chosen by the view: fewer columns, no ranges */
  narrow?: Table;
}

export interface Button {
  /** stable id the platform sends back when pressed, e.g. "compare:decode:groq-lpu-v1:etched-sohu:llama-3.1-70b" */
  id: string;
  label: string;
  /** the button for the view already shown */
  active?: boolean;
}

export interface Source { label: string; url: string }

export interface Reply {
  kind: 'answer' | 'error';
  title: string;
  /** the one-line answer */
  summary: string;
  fields: Field[];
  table?: Table;
  /** a vega-lite spec; rendered to PNG where the platform shows images */
  chart?: { spec: Record<string, unknown>; alt: string };
  notes: string[];
  warnings: string[];
  sources: Source[];
  buttons: Button[];
  /** only the person who asked sees it (errors, previews) */
  private: boolean;
  /** the structured result, printed by `--json` */
  data?: unknown;
}

export function answer(title: string, summary: string, extra: Partial<Reply> = {}): Reply {
  return { kind: 'answer', title, summary, fields: [], notes: [], warnings: [], sources: [], buttons: [], private: false, ...extra };
}

export function errorReply(message: string, hint?: string): Reply {
  return { kind: 'error', title: 'Sorry — I could not answer that', summary: message, fields: [], notes: hint ? [hint] : [],
    warnings: [], sources: [], buttons: [], private: true };
}
