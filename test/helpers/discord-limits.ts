// Discord's message limits, checked independently of the renderer's own constants (numbers from discord-api-docs
// resources/message "Embed Limits" and components/reference).

/** Every limit a message body breaks; empty when Discord would accept it. */
export function limitViolations(msg: any): string[] {
  const out: string[] = [];
  const embeds: any[] = msg.embeds ?? [];
  if (embeds.length > 10) out.push(`${embeds.length} embeds > 10`);
  let total = 0;
  embeds.forEach((e, i) => {
    const at = `embed ${i}`;
    if ((e.title ?? '').length > 256) out.push(`${at} title ${e.title.length} > 256`);
    if ((e.description ?? '').length > 4096) out.push(`${at} description ${e.description.length} > 4096`);
    if ((e.footer?.text ?? '').length > 2048) out.push(`${at} footer ${e.footer.text.length} > 2048`);
    const fields: any[] = e.fields ?? [];
    if (fields.length > 25) out.push(`${at} has ${fields.length} fields > 25`);
    fields.forEach((f, j) => {
      if (!f.name || f.name.length > 256) out.push(`${at} field ${j} name length ${f.name?.length}`);
      if (!f.value || f.value.length > 1024) out.push(`${at} field ${j} value length ${f.value?.length}`);
    });
    total += (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length
      + fields.reduce((n, f) => n + (f.name ?? '').length + (f.value ?? '').length, 0) + (e.author?.name ?? '').length;
  });
  if (total > 6000) out.push(`total embed characters ${total} > 6000`);
  const rows: any[] = msg.components ?? [];
  if (rows.length > 5) out.push(`${rows.length} action rows > 5`);
  const ids = new Set<string>();
  rows.forEach((r, i) => {
    if (r.type !== 1) out.push(`row ${i} type ${r.type} is not an action row`);
    if ((r.components ?? []).length > 5) out.push(`row ${i} has ${r.components.length} buttons > 5`);
    for (const b of r.components ?? []) {
      if (b.type !== 2) out.push(`row ${i}: component type ${b.type} is not a button`);
      if (b.style !== 1 && b.style !== 2) out.push(`row ${i}: button style ${b.style}`);
      if (!b.custom_id || b.custom_id.length > 100) out.push(`row ${i}: custom_id length ${b.custom_id?.length}`);
      if (!b.label || b.label.length > 80) out.push(`row ${i}: label length ${b.label?.length}`);
      if (ids.has(b.custom_id)) out.push(`duplicate custom_id ${b.custom_id}`);
      ids.add(b.custom_id);
    }
  });
  return out;
}

/** All text a person would read in the embeds, for "does it still say X" checks. */
export function embedText(msg: any): string {
  return (msg.embeds ?? []).map((e: any) => [e.title, e.description, ...(e.fields ?? []).flatMap((f: any) => [f.name, f.value]), e.footer?.text].filter(Boolean).join('\n')).join('\n');
}
