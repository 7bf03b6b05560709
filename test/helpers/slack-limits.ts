// An independent check of a Slack message against Block Kit's limits (written from Slack's docs, not from the renderer),
// returning every violation so a test can print what went wrong.

const HEADER = 150, SECTION = 3000, FIELDS = 10, FIELD = 2000, CONTEXT_ELEMENTS = 10, TEXT_OBJECT = 3000;
const ACTIONS_ELEMENTS = 25, BUTTON_TEXT = 75, ACTION_ID = 255, VALUE = 2000, BLOCKS = 50, FALLBACK = 40_000;
/** cumulative text Slack accepts before msg_blocks_too_long (~12-13k observed; the renderer promises 10k) */
const MESSAGE_TEXT = 10_000;

export function slackLimitViolations(msg: { text: string; blocks: any[] }): string[] {
  const bad: string[] = [];
  const text = (where: string, t: any, max: number, kind?: 'plain_text' | 'mrkdwn') => {
    if (!t || typeof t.text !== 'string') { bad.push(`${where}: missing text object`); return 0; }
    if (kind && t.type !== kind) bad.push(`${where}: text type ${t.type}, expected ${kind}`);
    if (!['plain_text', 'mrkdwn'].includes(t.type)) bad.push(`${where}: unknown text type ${t.type}`);
    if (t.text.length < 1) bad.push(`${where}: empty text`);
    if (t.text.length > max) bad.push(`${where}: ${t.text.length} chars > ${max}`);
    if (t.type === 'mrkdwn' && /\*\*[^*]+\*\*/.test(t.text)) bad.push(`${where}: markdown **bold** left in mrkdwn`);
    return t.text.length;
  };
  if (typeof msg.text !== 'string' || !msg.text) bad.push('fallback text missing');
  else if (msg.text.length > FALLBACK) bad.push(`fallback text ${msg.text.length} > ${FALLBACK}`);
  if (!Array.isArray(msg.blocks) || msg.blocks.length === 0) bad.push('no blocks');
  if (msg.blocks.length > BLOCKS) bad.push(`${msg.blocks.length} blocks > ${BLOCKS}`);
  let total = 0;
  const actionIds = new Set<string>();
  msg.blocks.forEach((b, i) => {
    const at = `block ${i} (${b.type})`;
    switch (b.type) {
      case 'header': total += text(at, b.text, HEADER, 'plain_text'); break;
      case 'section':
        if (!b.text && !b.fields) bad.push(`${at}: neither text nor fields`);
        if (b.text) total += text(at, b.text, SECTION);
        if (b.fields) {
          if (b.fields.length > FIELDS) bad.push(`${at}: ${b.fields.length} fields > ${FIELDS}`);
          if (b.fields.length < 1) bad.push(`${at}: empty fields`);
          b.fields.forEach((f: any, j: number) => { total += text(`${at} field ${j}`, f, FIELD); });
        }
        break;
      case 'context':
        if (b.elements.length > CONTEXT_ELEMENTS) bad.push(`${at}: ${b.elements.length} elements > ${CONTEXT_ELEMENTS}`);
        if (b.elements.length < 1) bad.push(`${at}: no elements`);
        b.elements.forEach((e: any, j: number) => { total += text(`${at} element ${j}`, e, TEXT_OBJECT); });
        break;
      case 'actions':
        if (b.elements.length > ACTIONS_ELEMENTS) bad.push(`${at}: ${b.elements.length} elements > ${ACTIONS_ELEMENTS}`);
        b.elements.forEach((e: any, j: number) => {
          total += text(`${at} button ${j}`, e.text, BUTTON_TEXT, 'plain_text');
          if (typeof e.action_id !== 'string' || !e.action_id) bad.push(`${at} button ${j}: no action_id`);
          else {
            if (e.action_id.length > ACTION_ID) bad.push(`${at} button ${j}: action_id ${e.action_id.length} > ${ACTION_ID}`);
            if (actionIds.has(e.action_id)) bad.push(`${at} button ${j}: duplicate action_id ${e.action_id}`);
            actionIds.add(e.action_id);
          }
          if (e.value !== undefined && e.value.length > VALUE) bad.push(`${at} button ${j}: value ${e.value.length} > ${VALUE}`);
          if (e.style !== undefined && !['primary', 'danger'].includes(e.style)) bad.push(`${at} button ${j}: style ${e.style}`);
        });
        break;
      case 'divider': break;
      default: bad.push(`${at}: unexpected block type`);
    }
  });
  if (total > MESSAGE_TEXT) bad.push(`message text ${total} > ${MESSAGE_TEXT}`);
  return bad;
}
