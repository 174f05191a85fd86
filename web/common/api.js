/* SPDX-License-Identifier: EUPL-1.2 */
// The control API over fetch: bearer token, JSON bodies, errors as ApiError.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || `http_${status}`;
  }
}

/** The parameters in location.hash (#session=...&token=...), as an object. */
export function hashParams() {
  return Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
}

/** An ApiError from a failed fetch Response (JSON error body or plain text). */
export async function errorFrom(response) {
  const text = await response.text().catch(() => '');
  try {
    const e = JSON.parse(text).error;
    return new ApiError(response.status, e.code, e.message);
  } catch {
    return new ApiError(response.status, null, text.trim() || response.statusText);
  }
}

/** "/api/v1/sessions/plenary/booths/en/consoles/1" from ('plenary', 'booths', 'en', ...). */
export function apiPath(...parts) {
  return '/api/v1/' + parts.map(encodeURIComponent).join('/');
}

/** apiPath parts of a console id "en/1" under a session: booths/en/consoles/1. */
export function consoleParts(consoleId) {
  const [lang, n] = consoleId.split('/');
  return ['booths', lang, 'consoles', n];
}

export function authHeaders(token) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** A small client: client.get(path), client.post(path, body), ... resolving to parsed JSON. */
export function apiClient(token) {
  async function request(method, path, body) {
    const headers = authHeaders(token);
    const init = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (!response.ok) throw await errorFrom(response);
    return response.status === 204 ? null : response.json();
  }
  return {
    token,
    get: (path) => request('GET', path),
    post: (path, body = {}) => request('POST', path, body),
    put: (path, body) => request('PUT', path, body),
    patch: (path, body) => request('PATCH', path, body),
    put: (path, body) => request('PUT', path, body), // no body: the route's defaults
    del: (path) => request('DELETE', path),
  };
}
