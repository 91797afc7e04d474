// Daily quotas against today's usage: one bar per limit (key-wide and per model), the numbers beside it as text.
// The per-minute rate limit has no daily count to compare, so it is shown as text only.
import {h, fmtNumber} from '../dom.js';
import {keyState} from './keys-editors.js';

function bar(label, used, limit, unit) {
  const pct = limit ? Math.round((used / limit) * 100) : 0;
  const over = used >= limit;
  return h('div', {class: 'quota'},
    h('span', null, label),
    h('progress', {max: String(limit), value: String(Math.min(used, limit)), class: over ? 'over' : null,
      'aria-label': `${label}: ${fmtNumber(used)} of ${fmtNumber(limit)} ${unit} today`}),
    h('span', {class: over ? 'quota-text over' : 'quota-text'},
      `${fmtNumber(used)} / ${fmtNumber(limit)} ${unit} today (${pct}%)`));
}

function sums(rows) {
  const out = {requests: 0, tokens: 0};
  for (const r of rows) { out.requests += r.requests ?? 0; out.tokens += r.tokens ?? 0; }
  return out;
}

/** The bars of one key: its daily limits against todayRows (that key's rows of today). */
function keyBars(limits, modelLimits, todayRows) {
  const out = [];
  const all = sums(todayRows);
  if (limits?.requests_per_day) out.push(bar('All models: requests', all.requests, limits.requests_per_day, 'requests'));
  if (limits?.tokens_per_day) out.push(bar('All models: tokens', all.tokens, limits.tokens_per_day, 'tokens'));
  for (const [model, l] of Object.entries(modelLimits ?? {})) {
    const m = sums(todayRows.filter((r) => r.model === model));
    if (l.requests_per_day) out.push(bar(model + ': requests', m.requests, l.requests_per_day, 'requests'));
    if (l.tokens_per_day) out.push(bar(model + ': tokens', m.tokens, l.tokens_per_day, 'tokens'));
  }
  const rates = [limits?.requests_per_minute && `all models ${fmtNumber(limits.requests_per_minute)}/min`,
    ...Object.entries(modelLimits ?? {}).filter(([, l]) => l.requests_per_minute)
      .map(([m, l]) => `${m} ${fmtNumber(l.requests_per_minute)}/min`)].filter(Boolean);
  if (rates.length) out.push(h('p', {class: 'muted'}, 'Rate limits: ' + rates.join(', ')));
  return out;
}

const hasLimit = (k) => k.limits?.requests_per_day || k.limits?.tokens_per_day
  || Object.values(k.model_limits ?? {}).some((l) => l.requests_per_day || l.tokens_per_day || l.requests_per_minute)
  || k.limits?.requests_per_minute;

const SHOWN = 8;

/** The largest share of a daily limit a key has used today (0..1+). */
function usedShare(k, rows) {
  const all = sums(rows);
  const shares = [k.limits?.requests_per_day && all.requests / k.limits.requests_per_day,
    k.limits?.tokens_per_day && all.tokens / k.limits.tokens_per_day];
  for (const [model, l] of Object.entries(k.model_limits ?? {})) {
    const m = sums(rows.filter((r) => r.model === model));
    shares.push(l.requests_per_day && m.requests / l.requests_per_day, l.tokens_per_day && m.tokens / l.tokens_per_day);
  }
  return Math.max(0, ...shares.filter((x) => typeof x === 'number'));
}

/**
 * The quota section. keys: the keys whose limits are known (every active key for an admin; the signed-in key when
 * the session says its limits; else empty), today: today's usage rows.
 */
export function quotaSection(keys, today, {admin, ownToday}) {
  const limited = keys.filter((k) => keyState(k) === 'active' && hasLimit(k));
  const body = [];
  if (!admin && !limited.length) {
    const s = sums(ownToday);
    body.push(h('p', null, `Today (UTC) this key made ${fmtNumber(s.requests)} requests and used ${fmtNumber(s.tokens)} tokens.`),
      // keys holds the signed-in key when the session told its limits: then it has none; else only admins know.
      h('p', {class: 'muted'}, keys.length ? 'This key has no rate limit or daily quota.'
        : 'Its limits are shown to admins; a call over a limit is answered 429 with Retry-After.'));
  } else if (!limited.length) {
    body.push(h('p', {class: 'muted'}, 'No active key has a limit.'));
  }
  // The keys nearest their limits first; with many keys only the first few (filter by key for any other).
  const used = (k) => usedShare(k, today.filter((r) => r.key_id === k.id));
  const ranked = limited.map((k) => [k, used(k)]).sort((a, b) => b[1] - a[1]).map(([k]) => k);
  for (const k of ranked.slice(0, SHOWN)) {
    body.push(h('div', {class: 'quota-key'},
      h('h3', null, k.name || k.id, ' ', h('code', {class: 'muted'}, k.id)),
      keyBars(k.limits, k.model_limits, today.filter((r) => r.key_id === k.id))));
  }
  if (ranked.length > SHOWN) {
    body.push(h('p', {class: 'muted'}, `${ranked.length - SHOWN} more keys have limits and are further from them; choose a key above to see its quotas.`));
  }
  return h('section', {class: 'card quota-card', 'aria-labelledby': 'quota-title'},
    h('h2', {id: 'quota-title'}, 'Quotas today (UTC)'), body);
}
