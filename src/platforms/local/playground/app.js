// memwall playground: a chat page for the same slash commands the Discord and Slack bot answers.
// Every piece of text from a reply or a person goes into the page through textContent, never innerHTML.
'use strict';

(() => {
  const DEFAULT_CHANNEL = 'local-general';
  const CHANNEL_ID = /^[A-Za-z0-9][\w.-]{0,63}$/;
  const EXAMPLES = ['/fit llama-70b cerebras', '/compare groq etched decode', '/estimate llama-3.1-70b h100 chips:8 batch:32', '/landscape', '/chip wse-3', '/help'];
  const POLL_MS = 2000;

  const $ = (id) => document.getElementById(id);
  const input = $('input');
  const form = $('composer');
  const list = $('suggestions');
  const logs = $('logs');
  const channelList = $('channels');

  /** channel id → { log: HTMLElement, item: HTMLElement, unread: number } */
  const channels = new Map();
  let current = null;
  let lastSeq = 0;
  const history = [];
  let historyAt = -1;

  // ---------- small DOM helpers ----------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  /**
   * The markup replies use, as DOM nodes: **bold**, *italic*, `code` and [label](https://…) links (the label may
   * hold the others). Everything else stays plain text; a link that is not http(s) stays text.
   */
  function inline(text) {
    const out = document.createDocumentFragment();
    const re = /`([^`\n]+)`|\[([^\]\n]+)\]\(([^)\s]+)\)|\*\*([^*\n](?:[^\n]*?[^*\n])?)\*\*|\*([^*\s](?:[^*\n]*?[^*\s])?)\*/g;
    let at = 0;
    let m;
    const s = String(text ?? '');
    while ((m = re.exec(s))) {
      if (m.index > at) out.append(document.createTextNode(s.slice(at, m.index)));
      if (m[1] !== undefined) out.append(el('code', { text: m[1] }));
      else if (m[2] !== undefined) {
        const href = safeUrl(m[3]);
        out.append(href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, inline(m[2])) : inline(m[2]));
      } else if (m[4] !== undefined) out.append(el('strong', {}, inline(m[4])));
      else out.append(el('em', {}, inline(m[5])));
      at = m.index + m[0].length;
    }
    if (at < s.length) out.append(document.createTextNode(s.slice(at)));
    return out;
  }

  const safeUrl = (u) => (/^https?:\/\//i.test(String(u)) ? String(u) : null);
  const clock = (d) => d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const looksNumeric = (s) => /^[~≈<>≤≥±$]?\s?[-+]?\d/.test(String(s).trim());

  // ---------- rendering a Reply ----------
  function table(t, extraClass) {
    const cols = t.columns || [];
    const rows = t.rows || [];
    const align = cols.map((_, i) => {
      if (t.align && t.align[i]) return t.align[i];
      const cells = rows.map((r) => r[i]).filter((c) => c !== undefined && !/^\s*(|unknown|n\/a|—|–|-)\s*$/i.test(String(c)));
      return i > 0 && cells.length && cells.filter(looksNumeric).length / cells.length >= 0.6 ? 'right' : 'left';
    });
    const cls = (i) => (align[i] === 'right' ? 'num' : undefined);
    return el('div', { class: extraClass ? `table-wrap ${extraClass}` : 'table-wrap' },
      el('table', { class: 'card-table' },
        el('thead', {}, el('tr', {}, cols.map((c, i) => el('th', { class: cls(i), scope: 'col', text: c })))),
        el('tbody', {}, rows.map((r) => el('tr', {}, cols.map((_, i) => el('td', { class: cls(i), text: r[i] ?? '' })))))));
  }

  function card(delivered, channel) {
    const r = delivered.reply;
    const isError = r.kind === 'error';
    const node = el('div', { class: `card ${isError ? 'error' : 'answer'}`, 'data-kind': r.kind });
    node.append(el('div', { class: 'card-title', text: r.title }));
    if (r.summary) node.append(el('div', { class: 'card-summary' }, inline(r.summary)));
    if (r.fields && r.fields.length) {
      node.append(el('div', { class: 'fields' }, r.fields.map((f) =>
        el('div', { class: `field${f.inline ? ' inline' : ''}` },
          el('div', { class: 'field-name' }, inline(f.name)),
          el('div', { class: 'field-value' }, inline(f.value))))));
    }
    if (r.table) {
      // a view may give a narrow version of its table (fewer columns, no ranges): shown instead on a phone-sized screen
      if (r.table.narrow) node.append(table(r.table, 'wide-only'), table(r.table.narrow, 'narrow-only'));
      else node.append(table(r.table));
    }
    if (delivered.chartUrl && r.chart) {
      const img = el('img', { class: 'card-chart', src: delivered.chartUrl, alt: r.chart.alt || 'chart' });
      const fig = el('div', { class: 'chart' }, el('a', { href: delivered.chartUrl, target: '_blank', title: 'Open the chart full size' }, img));
      img.addEventListener('error', () => fig.remove());
      // charts are rendered at 2× for sharp screens: show them at their CSS size, never blown up
      img.addEventListener('load', () => { if (img.naturalWidth) img.style.width = `${Math.round(img.naturalWidth / 2)}px`; });
      node.append(fig);
    }
    if (r.warnings && r.warnings.length) node.append(el('ul', { class: 'warnings' }, r.warnings.map((w) => el('li', {}, inline(w)))));
    if (r.notes && r.notes.length) node.append(el('ul', { class: 'notes' }, r.notes.map((n) => el('li', {}, inline(n)))));
    const sources = (r.sources || []).filter((s) => safeUrl(s.url));
    if (sources.length) {
      node.append(el('div', { class: 'sources' }, 'Sources: ',
        sources.map((s) => el('a', { href: safeUrl(s.url), target: '_blank', rel: 'noopener noreferrer', text: s.label || s.url }))));
    }
    if (r.buttons && r.buttons.length) {
      const row = el('div', { class: 'buttons' });
      for (const b of r.buttons) {
        row.append(el('button', {
          type: 'button', class: b.active ? 'active' : undefined, 'aria-pressed': b.active ? 'true' : 'false', 'data-id': b.id, text: b.label,
          onclick: () => press(node, row, b.id, channel),
        }));
      }
      node.append(row);
    }
    if (r.private || isError) {
      const foot = el('div', { class: 'private' }, 'Only you can see this · ');
      foot.append(el('button', { type: 'button', text: 'Dismiss message', onclick: () => node.closest('.msg')?.remove() }));
      node.append(foot);
    }
    return node;
  }

  function message(who, body, opts = {}) {
    const bot = who === 'bot';
    const avatar = bot ? el('div', { class: 'avatar bot' }, el('img', { src: '/favicon.svg', alt: '' })) : el('div', { class: 'avatar', text: 'you' });
    const meta = el('div', { class: 'meta' },
      el('span', { class: 'author', text: bot ? 'memwall' : 'you' }),
      bot ? el('span', { class: 'badge', text: 'BOT' }) : null,
      el('span', { class: 'time', text: clock(opts.at ? new Date(opts.at) : new Date()) }),
      opts.tag ? el('span', { class: 'posted-tag', text: opts.tag }) : null);
    return el('div', { class: `msg ${bot ? 'bot' : 'user'}` }, avatar, el('div', { class: 'body' }, meta, body));
  }

  function localError(text, hint) {
    return { reply: { kind: 'error', title: 'Sorry — I could not answer that', summary: text, fields: [], notes: hint ? [hint] : [], warnings: [], sources: [], buttons: [], private: true } };
  }

  // ---------- channels ----------
  function ensureChannel(id) {
    let ch = channels.get(id);
    if (ch) return ch;
    const log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'data-channel': id, hidden: true });
    log.append(welcome(id));
    logs.append(log);
    const item = el('li', { 'data-channel': id, onclick: () => select(id) }, el('span', { class: 'name', text: id }));
    channelList.append(item);
    ch = { log, item, unread: 0 };
    channels.set(id, ch);
    return ch;
  }

  function welcome(id) {
    return el('div', { class: 'welcome' },
      el('h1', { text: `Welcome to #${id}` }),
      el('p', { text: 'Ask about AI inference hardware with the same slash commands as the Discord and Slack bot. Click an example or type / to see every command.' }),
      el('div', { class: 'examples' }, EXAMPLES.map((x) => el('button', { type: 'button', class: 'example', text: x, onclick: () => { input.value = `${x} `; input.focus(); refreshSuggestions(); } }))));
  }

  function select(id) {
    const ch = ensureChannel(id);
    for (const [cid, c] of channels) {
      c.log.hidden = cid !== id;
      c.item.classList.toggle('active', cid === id);
    }
    current = id;
    ch.unread = 0;
    setUnread(ch);
    $('channel-name').textContent = id;
    input.placeholder = `Message #${id} — type / for commands`;
    document.title = `#${id} · memwall playground`;
    scrollDown(ch.log, true);
    input.focus();
  }

  function setUnread(ch) {
    ch.item.querySelector('.unread')?.remove();
    if (ch.unread > 0) ch.item.append(el('span', { class: 'unread', text: String(ch.unread) }));
  }

  function nearBottom(log) { return log.scrollHeight - log.scrollTop - log.clientHeight < 120; }
  function scrollDown(log, force) { if (force || nearBottom(log)) requestAnimationFrame(() => { log.scrollTop = log.scrollHeight; }); }

  function append(channel, node) {
    const ch = ensureChannel(channel);
    const stick = nearBottom(ch.log);
    ch.log.append(node);
    if (stick) scrollDown(ch.log, true);
    node.querySelectorAll('img').forEach((img) => img.addEventListener('load', () => { if (stick) scrollDown(ch.log, true); }, { once: true }));
    return node;
  }

  // ---------- talking to the server ----------
  async function api(path, body) {
    try {
      const res = await fetch(path, body === undefined ? { headers: { Accept: 'application/json' } } : { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) return localError(data.error ? `The playground could not take that: ${data.error}.` : `The playground answered ${res.status}.`);
      return data;
    } catch {
      return localError('I could not reach the playground server. Is it still running?', 'Start it again with `npm start`, then reload this page.');
    }
  }

  async function send(text) {
    const channel = current;
    append(channel, message('you', el('div', { class: 'said' }, el('code', { text }))));
    const pending = append(channel, message('bot', el('div', { class: 'thinking', text: 'memwall is thinking' })));
    const delivered = await api('/api/command', { channel, text });
    const msg = message('bot', card(delivered.reply ? delivered : localError('That answer came back empty.'), channel));
    pending.replaceWith(msg);
    msg.querySelectorAll('img').forEach((img) => img.addEventListener('load', () => scrollDown(channels.get(channel).log, false), { once: true }));
    scrollDown(channels.get(channel).log, true);
  }

  async function press(cardNode, row, id, channel) {
    const buttons = row.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    const delivered = await api('/api/button', { channel, id });
    if (delivered.reply && delivered.reply.kind !== 'error') {
      cardNode.replaceWith(card(delivered, channel));
    } else {
      buttons.forEach((b) => { b.disabled = false; });
      append(channel, message('bot', card(delivered.reply ? delivered : localError('That button did not answer.'), channel)));
    }
  }

  async function poll() {
    const data = await api(`/api/messages?since=${lastSeq}`);
    if (data && Array.isArray(data.messages)) {
      for (const id of data.channels || []) if (CHANNEL_ID.test(id)) ensureChannel(id);
      for (const m of data.messages) {
        if (m.seq <= lastSeq) continue;
        lastSeq = m.seq;
        append(m.channel, message('bot', card(m, m.channel), { at: m.at, tag: 'posted to the channel' }));
        if (m.channel !== current) { const ch = channels.get(m.channel); ch.unread++; setUnread(ch); }
      }
    }
    setTimeout(poll, POLL_MS);
  }

  // ---------- autocomplete ----------
  let suggestions = [];
  let selected = 0;
  let chosenByKeys = false;
  let asked = 0;
  let timer = null;

  function closeSuggestions() {
    // also drop a lookup still in flight, or its late answer would reopen the list
    clearTimeout(timer);
    asked += 1;
    suggestions = []; list.hidden = true; list.replaceChildren(); input.setAttribute('aria-expanded', 'false');
  }

  function showSuggestions(items) {
    suggestions = items;
    selected = 0;
    chosenByKeys = false;
    if (!items.length) { closeSuggestions(); return; }
    list.replaceChildren(...items.map((s, i) => el('li', {
      role: 'option', class: i === 0 ? 'selected' : undefined, 'aria-selected': i === 0 ? 'true' : 'false',
      onmousedown: (e) => { e.preventDefault(); accept(i); },
    }, el('span', { class: 's-label', text: s.label }), s.detail ? el('span', { class: 's-detail', text: s.detail }) : null)));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function highlight(i) {
    selected = (i + suggestions.length) % suggestions.length;
    [...list.children].forEach((li, j) => { li.classList.toggle('selected', j === selected); li.setAttribute('aria-selected', j === selected ? 'true' : 'false'); });
    list.children[selected]?.scrollIntoView({ block: 'nearest' });
  }

  function accept(i) {
    const s = suggestions[i];
    if (!s) return;
    input.value = s.text;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
    refreshSuggestions();
  }

  function refreshSuggestions() {
    clearTimeout(timer);
    const text = input.value;
    if (!text.startsWith('/')) { closeSuggestions(); return; }
    timer = setTimeout(async () => {
      const mine = ++asked;
      const data = await api(`/api/autocomplete?channel=${encodeURIComponent(current)}&text=${encodeURIComponent(text)}`);
      if (mine !== asked || input.value !== text) return;
      showSuggestions(Array.isArray(data.suggestions) ? data.suggestions.slice(0, 25) : []);
    }, 60);
  }

  input.addEventListener('input', () => { historyAt = -1; refreshSuggestions(); });
  input.addEventListener('blur', () => setTimeout(closeSuggestions, 100));
  input.addEventListener('keydown', (e) => {
    const open = !list.hidden && suggestions.length > 0;
    if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      chosenByKeys = true;
      highlight(selected + (e.key === 'ArrowDown' ? 1 : -1));
    } else if (open && e.key === 'Tab') {
      e.preventDefault();
      accept(selected);
    } else if (open && e.key === 'Enter' && chosenByKeys) {
      e.preventDefault();
      accept(selected);
    } else if (e.key === 'Escape') {
      closeSuggestions();
    } else if (!open && e.key === 'ArrowUp' && history.length && (input.value === '' || historyAt >= 0)) {
      e.preventDefault();
      historyAt = Math.min(history.length - 1, historyAt + 1);
      input.value = history[history.length - 1 - historyAt];
    } else if (!open && e.key === 'ArrowDown' && historyAt >= 0) {
      e.preventDefault();
      historyAt -= 1;
      input.value = historyAt >= 0 ? history[history.length - 1 - historyAt] : '';
    }
  });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    closeSuggestions();
    clearTimeout(timer);
    asked++;
    history.push(text);
    historyAt = -1;
    input.value = '';
    send(text);
  });

  $('new-channel').addEventListener('submit', (e) => {
    e.preventDefault();
    const box = $('new-channel-name');
    const name = box.value.trim().replace(/^#/, '').replace(/\s+/g, '-').toLowerCase();
    if (!CHANNEL_ID.test(name)) { box.setCustomValidity('Letters, digits, - _ . (up to 64)'); box.reportValidity(); return; }
    box.setCustomValidity('');
    box.value = '';
    select(name);
  });
  $('new-channel-name').addEventListener('input', (e) => e.target.setCustomValidity(''));

  select(DEFAULT_CHANNEL);
  poll();
})();
