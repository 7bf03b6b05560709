// A Discord message (embeds as the API takes them) drawn as a page at the width Discord gives an embed, so a browser
// test can see whether a table wraps and a person can look at the screenshot. Discord's embed is at most 516 px wide
// with ~484 px for text; its code font (Consolas-like, 0.55 em per character at 14 px) fits about 60 characters on a
// line. DejaVu Sans Mono is 0.6 em wide, so 12.8 px gives the same characters per line.
import type { DiscordMessage } from '../../src/reply/discord.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Discord markdown, the subset replies use: ```code blocks```, **bold**, `code`, [label](url). */
function md(text: string): string {
  return text.split(/```\n?/).map((part, i) => (i % 2
    ? `<pre>${esc(part.replace(/\n$/, ''))}</pre>`
    : esc(part).replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2">$1</a>').replace(/\*\*(.+?)\*\*/g, '<b>$1</b>').replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\n/g, '<br>'))).join('');
}

export function discordEmbedHtml(msg: DiscordMessage, image?: string): string {
  const embeds = msg.embeds.map((e) => `<div class="embed">
    ${e.title ? `<div class="title">${esc(e.title)}</div>` : ''}
    ${e.description ? `<div class="desc">${md(e.description)}</div>` : ''}
    ${(e.fields ?? []).map((f) => `<div class="field${f.inline ? ' inline' : ''}"><div class="fname">${md(f.name)}</div><div class="fvalue">${md(f.value)}</div></div>`).join('')}
    ${e.image && image ? `<img class="image" src="${image}">` : ''}
    ${e.footer ? `<div class="footer">${esc(e.footer.text).replace(/\n/g, '<br>')}</div>` : ''}
  </div>`).join('');
  const buttons = msg.components.flatMap((r) => r.components).map((b) => `<span class="btn${b.style === 1 ? ' primary' : ''}">${esc(b.label)}</span>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; background: #313338; color: #dbdee1; font: 16px/1.375 "DejaVu Sans", sans-serif; padding: 16px; width: 560px; }
  .embed { max-width: 516px; box-sizing: border-box; background: #2b2d31; border-left: 4px solid #3b82f6; border-radius: 4px; padding: 8px 16px 16px 12px; margin-bottom: 6px; font-size: 14px; }
  .title { font-weight: 700; font-size: 16px; color: #fff; margin: 8px 0; }
  .desc, .fvalue { white-space: normal; overflow-wrap: anywhere; }
  .field { margin-top: 8px; } .fname { font-weight: 700; color: #fff; margin-bottom: 2px; }
  pre { font: 12.8px/1.3 "DejaVu Sans Mono", monospace; white-space: pre-wrap; overflow-wrap: anywhere; background: #1e1f22; border: 1px solid #1e1f22; border-radius: 4px; padding: 7px; margin: 6px 0; }
  code { font: 12.8px "DejaVu Sans Mono", monospace; background: #1e1f22; padding: 0 2px; }
  a { color: #00a8fc; } .image { max-width: 100%; margin-top: 16px; border-radius: 4px; }
  .footer { font-size: 12px; color: #b5bac1; margin-top: 8px; }
  .btn { display: inline-block; background: #4e5058; color: #fff; border-radius: 3px; padding: 2px 16px; margin: 4px 8px 0 0; font-size: 14px; } .btn.primary { background: #5865f2; }
  </style></head><body>${embeds}<div>${buttons}</div></body></html>`;
}
