// The console's only way to the server: the public APIs, with the browser's session cookie. Mutations carry the
// session's CSRF token in X-CSRF-Token (the server refuses a cookie-authenticated mutation without it).

export const session = {auth: true, signedIn: false, admin: false, key: null, name: null, scopes: [], csrf: null};

/** An API refusal or failure: the HTTP status and the server's own message. */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

function message(status, body, text) {
  const e = body?.error;
  if (typeof e === 'string') return e;
  if (e && typeof e.message === 'string') return e.message;
  return text?.trim() || 'HTTP ' + status;
}

function headers(method, extra, json) {
  const h = new Headers(extra || {});
  if (json) h.set('Content-Type', 'application/json');
  if (method !== 'GET' && method !== 'HEAD' && session.csrf) h.set('X-CSRF-Token', session.csrf);
  return h;
}

/**
 * Calls an API and returns {status, headers, body}: body parsed as JSON when it is JSON, else text.
 * Throws ApiError on a status >= 400. A 401 with a session that expired sends the user back to sign in.
 */
export async function call(method, path, body, opts = {}) {
  const json = body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer) && typeof body !== 'string';
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: headers(method, opts.headers, json),
    body: body === undefined ? undefined : json ? JSON.stringify(body) : body,
    signal: opts.signal,
  });
  const type = res.headers.get('content-type') || '';
  const text = await res.text();
  let parsed = text;
  if (type.includes('json') && text) {
    try { parsed = JSON.parse(text); } catch { parsed = text; }
  }
  if (res.status >= 400) {
    if (res.status === 401 && session.signedIn && !opts.quiet) window.dispatchEvent(new Event('kiln:signed-out'));
    throw new ApiError(res.status, message(res.status, parsed, type.includes('json') ? '' : text), parsed);
  }
  return {status: res.status, headers: res.headers, body: parsed};
}

export const get = async (path, opts) => (await call('GET', path, undefined, opts)).body;
export const post = async (path, body, opts) => (await call('POST', path, body ?? {}, opts)).body;
export const put = async (path, body, opts) => (await call('PUT', path, body ?? {}, opts)).body;
export const del = async (path, opts) => (await call('DELETE', path, undefined, opts)).body;
export const patch = async (path, body, opts) => (await call('PATCH', path, body ?? {}, opts)).body;

/** A page of a list API: {items, total} from the body and X-Total-Count (total is null when not sent). */
export async function page(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const res = await call('GET', q.size ? path + '?' + q : path);
  const total = res.headers.get('x-total-count');
  const items = Array.isArray(res.body) ? res.body : res.body?.items ?? res.body?.data ?? [];
  return {items, total: total === null ? res.body?.total ?? null : Number(total)};
}

/** Uploads a file with progress (fetch cannot report upload progress; XMLHttpRequest can). */
export function upload(method, path, file, onProgress, contentType) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(method, path);
    x.withCredentials = true;
    if (session.csrf) x.setRequestHeader('X-CSRF-Token', session.csrf);
    x.setRequestHeader('Content-Type', contentType || file.type || 'application/octet-stream');
    x.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
    x.onerror = () => reject(new ApiError(0, 'the upload failed: the connection broke'));
    x.onload = () => {
      let body = x.responseText;
      try { body = JSON.parse(body); } catch { /* text */ }
      if (x.status >= 400) reject(new ApiError(x.status, message(x.status, body, ''), body));
      else resolve(body);
    };
    x.send(file);
  });
}

/**
 * Follows a Server-Sent Events stream; handlers maps event names to functions of the parsed data.
 * Returns a function that closes it. The cookie goes with it (same origin).
 */
export function events(path, handlers, onError) {
  const es = new EventSource(path, {withCredentials: true});
  for (const [name, fn] of Object.entries(handlers)) {
    es.addEventListener(name, (e) => {
      let data = e.data;
      try { data = JSON.parse(e.data); } catch { /* text */ }
      fn(data);
    });
  }
  es.onerror = (e) => onError?.(e, es);
  return () => es.close();
}

/**
 * Reads a streamed POST answer (OpenAI's chat stream: lines "data: {...}" ending with "data: [DONE]"), calling
 * onData with each parsed chunk. Fetch, not EventSource: the request has a body and the CSRF header.
 */
export async function streamPost(path, body, onData, signal) {
  const res = await fetch(path, {method: 'POST', credentials: 'same-origin', headers: headers('POST', null, true),
    body: JSON.stringify(body), signal});
  if (res.status >= 400) {
    const text = await res.text();
    let parsed = text;
    try { parsed = JSON.parse(text); } catch { /* text */ }
    throw new ApiError(res.status, message(res.status, parsed, text), parsed);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buf += value;
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, i);
      buf = buf.slice(i + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return;
        onData(JSON.parse(data));
      }
    }
  }
}

/** Loads who is signed in (or that auth is off); false when a sign-in is needed. */
export async function loadSession() {
  try {
    const s = await get('/api/v1/session', {quiet: true});
    Object.assign(session, {
      auth: s.auth !== false, signedIn: true, admin: !!s.admin, key: s.key_id ?? s.id ?? null, name: s.name ?? null,
      scopes: s.scopes ?? [], csrf: s.csrf_token ?? null,
    });
    return true;
  } catch (e) {
    if (e.status === 404) { // a server without sessions: auth is off
      Object.assign(session, {auth: false, signedIn: true, admin: true});
      return true;
    }
    if (e.status === 401) {
      Object.assign(session, {auth: true, signedIn: false, admin: false, csrf: null});
      return false;
    }
    throw e;
  }
}

export async function signIn(key) {
  await call('POST', '/api/v1/session', {key}, {quiet: true});
  return loadSession();
}

export async function signOut() {
  try { await call('DELETE', '/api/v1/session', undefined, {quiet: true}); } finally {
    Object.assign(session, {signedIn: false, admin: false, csrf: null});
  }
}

/** Path segment escaping for names in URLs. */
export const seg = (s) => encodeURIComponent(String(s));
