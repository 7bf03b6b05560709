// /explain [topic] — a short explainer of one idea (memory wall, KV cache, …) or one approach (Groq, Cerebras, …),
// with links to go further and the related /chip names; with no topic, the list of topics.
import { z } from 'zod';
import { explainers, explainReply, findExplainer, topicList, unknownTopic } from '../src/views/explain.ts';
import type { Choice, Command } from './command.ts';

const Input = z.object({ topic: z.string().optional() });
type Input = z.infer<typeof Input>;

export const explainCommand: Command<Input> & { topics(): Choice[] } = {
  name: 'explain',
  description: 'An idea or chip design explained: memory wall, KV cache, Groq… (no topic: list them)',
  options: [{ name: 'topic', description: 'Topic, e.g. memory-wall, kv-cache, disaggregation, groq', type: 'string', autocomplete: 'topic' }],
  input: Input,
  run(o, ctx) {
    if (!o.topic?.trim()) return topicList();
    const e = findExplainer(o.topic);
    return e ? explainReply(e, ctx.catalog) : unknownTopic(o.topic);
  },
  topics() {
    return explainers().map((e) => ({ name: e.title, value: e.id }));
  },
};
