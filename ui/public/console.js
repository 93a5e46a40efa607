// The rosterd web console: one page, no framework, every action through the
// public API with the signed-in token, so that it can do exactly what that
// token may. The token lives in memory and sessionStorage (gone with the
// tab), never in localStorage or a cookie. Every text from the directory
// reaches the page through textContent, never as HTML.
"use strict";

const tokenKey = "rosterd.token";
const session = { token: sessionStorage.getItem(tokenKey), me: null };
const main = document.getElementById("main");

// GETs asked for as the script starts, before they are needed (the first
// page's data beside the caller's record): each is taken once by the api()
// call that asks for the same path.
const early = new Map();
function fetchEarly(path) {
  early.set(path, fetch(path, { headers: { Authorization: "Bearer " + session.token } }));
}
if (session.token) {
  fetchEarly("/me");
  const { parts, params } = route();
  if (parts[0] === "users") fetchEarly(usersPath(...usersParams(params)));
}

// ---- the API ----

class Problem extends Error {
  constructor(status, detail, body) { super(detail); this.status = status; this.body = body; }
}


// Calls the API; answers { status, body, etag, total } or throws a Problem
// (a 401 signs out first).
async function api(method, path, { body, ifMatch, signal, raw } = {}) {
  const ahead = method === "GET" && early.get(path);
  early.delete(path);
  const res = ahead ? await ahead : await send(method, path, { body, ifMatch, signal });
  return answer(res, raw);
}

function send(method, path, { body, ifMatch, signal }) {
  const headers = { Authorization: "Bearer " + session.token };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (ifMatch) headers["If-Match"] = ifMatch;
  return fetch(path, { method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function answer(res, raw) {
  if (res.status === 401 && session.me) {
    signOut("Your token no longer works: sign in again.");
    throw new Problem(401, "signed out");
  }
  if (raw && res.ok) return res;
  const text = await res.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
  if (!res.ok) throw new Problem(res.status, parsed && parsed.detail ? parsed.detail : res.statusText, parsed);
  const total = res.headers.get("X-Total-Count");
  return { status: res.status, body: parsed, etag: res.headers.get("ETag"), total: total === null ? null : Number(total) };
}

// ---- building the page ----

// h("p", {class: "x"}, "text", child...): an element; attributes starting with
// "on" are listeners; text children become text nodes.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "value") el.value = value;
    else if (name === "checked") el.checked = true;
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function say(message) {
  const status = document.getElementById("status");
  status.textContent = message;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => { status.textContent = ""; }, 5000);
}

function page(title, ...content) {
  document.title = title + " · rosterd";
  main.replaceChildren(h("h1", {}, title), ...content);
  main.focus();
}

// Each render begins a new view; a page still loading for an older one
// (its requests slower than the reader's next click) must not replace it.
// The page is aria-busy from a view's start until it is shown.
let generation = 0;
function view() {
  const mine = generation;
  main.setAttribute("aria-busy", "true");
  return (title, ...content) => {
    if (mine !== generation) return;
    page(title, ...content);
    main.removeAttribute("aria-busy");
  };
}

function problemNotice(e) {
  return h("p", { class: "notice bad", role: "alert" }, e instanceof Problem ? `${e.status}: ${e.message}` : String(e));
}

const fullName = u => [u.firstName, u.lastName].filter(Boolean).join(" ") || "(no name)";
const when = t => t ? t.replace("T", " ").replace("Z", " UTC") : "—";
const tag = (on, yes, no, cls) => h("span", { class: "tag " + (cls || (on ? "on" : "off")) }, on ? yes : no);

// ---- rights, as the signed-in user has them ----

const isSuper = () => session.me && session.me.superUser;
const adminGroups = () => session.me ? session.me.userGroups.filter(g => g.admin).map(g => g.id) : [];
const isAdmin = () => isSuper() || adminGroups().length > 0;

// ---- sign-in and sign-out ----

function signOut(message) {
  session.token = null;
  session.me = null;
  session.groupNames = null;
  sessionStorage.removeItem(tokenKey);
  renderChrome();
  location.hash = "#/signin";
  if (message) say(message);
}

function signInPage() {
  const show = view();
  const error = h("p", { class: "error", id: "token-error" });
  const input = h("input", { id: "token", type: "password", autocomplete: "off", required: true,
                             "aria-describedby": "token-help token-error", spellcheck: "false" });
  const form = h("form", { class: "signin", onsubmit: async event => {
    event.preventDefault();
    session.token = input.value.trim();
    try {
      session.me = (await api("GET", "/me")).body;
      sessionStorage.setItem(tokenKey, session.token);
      renderChrome();
      location.hash = isAdmin() ? "#/users" : "#/user/" + session.me.id;
    } catch (e) {
      session.token = null;
      error.textContent = e.status === 401 ? "That token does not work." : e.message;
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  } },
    h("div", { class: "field" }, h("label", { for: "token" }, "API token"), input),
    h("p", { id: "token-help" }, "Paste a token once; it is kept only in this browser tab and forgotten when you sign out or close it."),
    error,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Sign in")));
  show("Sign in", form);
  input.focus();
}

function renderChrome() {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  const links = [];
  if (session.me) {
    if (isAdmin()) links.push(["#/users", "Users"], ["#/groups", "Groups"], ["#/audit", "Audit trail"]);
    links.push(["#/user/" + session.me.id, "My profile"]);
    if (isSuper()) links.push(["#/server", "Server"]);
  }
  nav.replaceChildren(...links.map(([href, text]) => h("a", { href }, text)));
  markCurrent();
  who.replaceChildren(...(session.me
    ? [h("span", {}, fullName(session.me)), h("button", { class: "plain", type: "button", onclick: () => signOut("Signed out.") }, "Sign out")]
    : []));
}

function markCurrent() {
  const here = location.hash.split("?")[0];
  for (const a of document.querySelectorAll("nav a"))
    if (a.getAttribute("href") === here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
}

// ---- hash routes: #/users?q=ann&size=25&page=2 ----

function route() {
  const [path, query] = location.hash.slice(1).split("?");
  return { parts: (path || "/").split("/").filter(Boolean), params: new URLSearchParams(query || "") };
}

function setParams(params) {
  const [path] = location.hash.split("?");
  history.replaceState(null, "", path + "?" + params.toString());
}

async function render() {
  ++generation;
  if (!session.token) return signInPage();
  if (!session.me) {
    try { session.me = (await api("GET", "/me")).body; }
    catch (e) { return e.status === 401 ? signOut("Your token no longer works: sign in again.") : view()("rosterd", problemNotice(e)); }
    renderChrome();
  }
  markCurrent();
  const { parts, params } = route();
  const [section, id] = parts;
  const show = view();
  try {
    if (section === "users" && isAdmin()) return await usersPage(params);
    if (section === "user" && id === "new" && isAdmin()) return await newUserPage();
    if (section === "user" && id) return await userPage(id);
    if (section === "groups" && isAdmin()) return await groupsPage(params);
    if (section === "group" && id) return await groupPage(id, params);
    if (section === "audit" && isAdmin()) return await auditPage(params);
    if (section === "server" && isSuper()) return await serverPage();
    location.replace(isAdmin() ? "#/users" : "#/user/" + session.me.id);
  } catch (e) {
    if (e.status !== 401) show("Something went wrong", problemNotice(e));
  }
}

// ---- a pager: first, previous, next, last ----

// `total`: a number; null when the server left it out (past the 10,000
// matches it counts); undefined when not asked for.
function pager(label, offset, size, shown, total, go) {
  const known = typeof total === "number";
  const last = known ? Math.max(0, Math.floor((total - 1) / size) * size) : null;
  const from = shown ? offset + 1 : 0;
  const range = `${from}–${offset + shown}`;
  const button = (text, to, disabled) => h("button", { type: "button", class: "plain", disabled, onclick: () => go(to) }, text);
  return h("nav", { class: "pager", "aria-label": label },
    button("First", 0, offset === 0),
    button("Previous", Math.max(0, offset - size), offset === 0),
    h("span", { class: "count" }, known ? `${range} of ${total}` : total === null ? `${range} of more than 10,000` : range),
    button("Next", offset + size, known ? offset + size >= total : shown < size),
    button("Last", last, last === null || offset >= last));
}

function sizeSelect(id, size, onchange) {
  return h("div", {}, h("label", { for: id }, "Per page"),
    h("select", { id, onchange: e => onchange(Number(e.target.value)) },
      [10, 25, 50, 100].map(n => h("option", { value: n, selected: n === size }, String(n)))));
}

// The users page's query, for the page and for the early fetch above.
function usersParams(params) {
  return [params.get("q") || "", Number(params.get("size")) || 25, Number(params.get("offset")) || 0];
}
function usersPath(q, size, offset) {
  const p = new URLSearchParams({ offset, limit: size, total: "true" });
  if (q) p.set("q", q);
  return "/user?" + p;
}

// ---- start: every script is in (they are deferred, in order) ----

window.addEventListener("hashchange", render);
document.addEventListener("DOMContentLoaded", () => {
  renderChrome();
  render();
});
