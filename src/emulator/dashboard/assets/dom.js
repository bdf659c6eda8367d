// Tiny DOM helpers. Everything a client controls (ids, user names, groups, message data)
// reaches the page through text nodes and attributes only, never through innerHTML.

/**
 * Creates an element. `props`: `class`, `text`, `title`, `dataset`, `on<Event>` listeners, and
 * plain attributes; children are nodes or strings (strings become text nodes).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2).toLowerCase(), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** `document.getElementById`, failing loudly when the page and the script disagree. */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} is missing from index.html`);
  return el;
}

/** Sets a text node's content only when it changed (cheap updates of large tables). */
export function setText(el, value) {
  const text = value === undefined || value === null ? "" : String(value);
  if (el.textContent !== text) el.textContent = text;
}

/** Shows a result line under a form: `ok` or `error` tone. */
export function setStatus(el, tone, text) {
  el.dataset.tone = tone;
  el.textContent = text;
}
