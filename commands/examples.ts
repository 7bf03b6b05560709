// One example per command, in chat syntax: /help shows them and option errors point at them (the CLI rewrites
// "/fit …" as "memwall fit …").
export const EXAMPLES: Record<string, string> = {
  fit: '/fit llama-70b cerebras', compare: '/compare groq etched decode', estimate: '/estimate llama-3.1-70b h100 chips:8 batch:32',
  disagg: '/disagg llama-70b b200 groq', landscape: '/landscape deepseek-v3', chip: '/chip wse-3', model: '/model gpt-oss-120b',
  explain: '/explain memory-wall', sources: '/sources', help: '/help fit', digest: '/digest subscribe weekly',
};
