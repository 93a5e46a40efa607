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

let uniqueId = 0;
const newId = prefix => prefix + "-" + (++uniqueId);

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
let generation = 0;
function view() {
  const mine = generation;
  return (title, ...content) => { if (mine === generation) page(title, ...content); };
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

// ---- users ----

function userRow(u) {
  return h("tr", {},
    h("td", {}, String(u.id)),
    h("td", {}, h("a", { href: "#/user/" + u.id }, fullName(u))),
    h("td", {}, u.userName || ""),
    h("td", {}, u.emailAddress || ""),
    h("td", {}, tag(u.active, "active", "inactive")),
    h("td", {}, u.superUser ? tag(true, "superuser", "", "su") : ""));
}

function usersTable(caption, users) {
  return h("table", {}, h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ["Id", "Name", "userName", "E-mail address", "Active", "Rights"].map(t => h("th", { scope: "col" }, t)))),
    h("tbody", {}, users.map(userRow)));
}

function usersParams(params) {
  return [params.get("q") || "", Number(params.get("size")) || 25, Number(params.get("offset")) || 0];
}
function usersPath(q, size, offset) {
  const p = new URLSearchParams({ offset, limit: size, total: "true" });
  if (q) p.set("q", q);
  return "/user?" + p;
}

async function usersPage(params) {
  const show = view();
  let [q, size, offset] = usersParams(params);
  const results = h("div", { id: "results" });
  let inFlight = null;
  async function load() {
    setParams(new URLSearchParams(Object.entries({ q, size, offset }).filter(([, v]) => v !== "" && v !== 0)));
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    try {
      const res = await api("GET", usersPath(q, size, offset), { signal: inFlight.signal });
      const caption = q ? `Users matching “${q}”` : "Users";
      results.replaceChildren(
        res.body.length ? usersTable(caption, res.body) : h("p", {}, q ? "No user matches." : "No users."),
        pager("Pages of users", offset, size, res.body.length, res.total, to => { offset = to; load(); }));
      results.dataset.loaded = String(performance.now()); // when these results were shown (scripts/bench-console)
    } catch (e) {
      if (e.name !== "AbortError" && e.status !== 401) results.replaceChildren(problemNotice(e));
    }
  }
  const search = h("input", { id: "user-search", type: "search", value: q, autocomplete: "off",
    placeholder: "name, e-mail address or userName",
    oninput: e => { q = e.target.value; offset = 0; load(); } });
  show("Users",
    h("div", { class: "toolbar", role: "search" },
      h("div", {}, h("label", { for: "user-search" }, "Search users"), search),
      sizeSelect("user-size", size, n => { size = n; offset = 0; load(); }),
      h("a", { class: "button", href: "#/user/new" }, "New user")),
    results);
  await load();
  search.focus();
}

// The fields of a user as the form shows them: [name, label, kind, options].
const userFields = [
  ["firstName", "First name", "text"], ["lastName", "Last name", "text"],
  ["emailAddress", "E-mail address", "email"], ["emailAddressVerified", "E-mail address verified", "bool"],
  ["phoneNumber", "Phone number (E.164, e.g. +31201234567)", "tel"], ["phoneNumberVerified", "Phone number verified", "bool"],
  ["userName", "userName", "text"], ["externalId", "externalId", "text"],
  ["description", "Description", "text"], ["remarks", "Remarks", "textarea"],
  ["clientId", "clientId", "number"], ["authOrganizationId", "authOrganizationId", "text"],
  ["autoRemoveAfter", "Remove automatically after", "select", ["", "WEEK", "MONTH", "YEAR"]],
  ["superUser", "Superuser", "bool"], ["active", "Active", "bool"],
  ["autoEmailMatch", "autoEmailMatch", "bool"], ["requireEmailMatch", "requireEmailMatch", "bool"],
  ["emailMatchCredentialFilter", "emailMatchCredentialFilter", "bool"],
];
const selfFields = ["firstName", "lastName", "emailAddress", "phoneNumber", "description"];
const nullable = ["phoneNumber", "emailAddress", "externalId", "description", "remarks", "clientId", "authOrganizationId", "userName", "autoRemoveAfter"];

// Which fields the signed-in user may set on `u` (null: a new user).
function editable(u) {
  if (isSuper()) return userFields.map(f => f[0]).filter(n => !(u && u.id === session.me.id && n === "active"));
  const self = u && u.id === session.me.id;
  if (self) return selfFields;
  return userFields.map(f => f[0]).filter(n => n !== "superUser" && n !== "clientId");
}

// A form of the user's fields; read() answers the fields changed from `u`.
function userForm(u, allowed) {
  const inputs = {}, errors = {};
  const fields = userFields.filter(([name]) => allowed.includes(name) || (u && u[name] !== undefined));
  const form = h("div", { class: "form" }, fields.map(([name, label, kind, options]) => {
    const id = "f-" + name, errId = id + "-error";
    const value = u ? u[name] : (kind === "bool" ? name === "active" : null);
    const disabled = !allowed.includes(name);
    let input;
    if (kind === "bool") input = h("input", { id, type: "checkbox", checked: !!value, disabled });
    else if (kind === "select") input = h("select", { id, disabled }, options.map(o => h("option", { value: o, selected: (value || "") === o }, o || "never")));
    else if (kind === "textarea") input = h("textarea", { id, rows: 2, disabled }, value || "");
    else input = h("input", { id, type: kind, value: value === null || value === undefined ? "" : String(value), disabled, autocomplete: "off" });
    input.setAttribute("aria-describedby", errId);
    inputs[name] = input;
    errors[name] = h("p", { class: "error", id: errId });
    return kind === "bool"
      ? h("div", { class: "field check" }, input, h("label", { for: id }, label), errors[name])
      : h("div", { class: "field" }, h("label", { for: id }, label), input, errors[name]);
  }));
  function valueOf(name, kind) {
    const input = inputs[name];
    if (kind === "bool") return input.checked;
    const text = input.value.trim();
    if (kind === "number") return text === "" ? null : Number(text);
    if (text === "" && nullable.includes(name)) return null;
    return text;
  }
  return {
    element: form,
    read() {
      const out = {};
      for (const [name, , kind] of fields) {
        if (!allowed.includes(name)) continue;
        const v = valueOf(name, kind);
        const before = u ? (u[name] === undefined ? null : u[name]) : (kind === "bool" ? name === "active" : null);
        if (v !== before && !(v === "" && before === null)) out[name] = v;
      }
      return out;
    },
    // Shows the server's 400 next to the field it names ("phoneNumber: ...").
    showProblem(e) {
      for (const name in errors) { errors[name].textContent = ""; inputs[name].removeAttribute("aria-invalid"); }
      const m = /^([A-Za-z]+): (.*)$/.exec(e.message || "");
      if (m && errors[m[1]]) {
        errors[m[1]].textContent = m[2];
        inputs[m[1]].setAttribute("aria-invalid", "true");
        inputs[m[1]].focus();
        return true;
      }
      return false;
    },
  };
}

async function newUserPage() {
  const show = view();
  const groups = isSuper() ? [] : (await api("GET", "/usergroup?limit=1000")).body.filter(g => adminGroups().includes(g.id));
  const form = userForm(null, editable(null).filter(n => n !== "active" || isSuper()));
  const message = h("div", {});
  const groupSelect = isSuper() ? null : h("select", { id: "new-group" }, groups.map(g => h("option", { value: g.id }, g.name)));
  show("New user",
    h("form", { onsubmit: async e => {
      e.preventDefault();
      const query = groupSelect ? "?userGroupId=" + groupSelect.value : "";
      try {
        const res = await api("POST", "/user" + query, { body: form.read() });
        say("User " + res.body + " created.");
        location.hash = "#/user/" + res.body;
      } catch (err) {
        if (!form.showProblem(err)) message.replaceChildren(problemNotice(err));
      }
    } },
      groupSelect && h("div", { class: "field" }, h("label", { for: "new-group" }, "In group"), groupSelect),
      form.element, message,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Create user"), h("a", { href: "#/users" }, "Cancel"))));
}

async function userPage(id) {
  const show = view();
  const res = await api("GET", "/user/" + encodeURIComponent(id));
  const u = res.body;
  let etag = res.etag;
  const self = u.id === session.me.id;
  const form = userForm(u, editable(u));
  const message = h("div", {});
  const save = async e => {
    e.preventDefault();
    const changes = form.read();
    if (!Object.keys(changes).length) { say("Nothing to save."); return; }
    try {
      await api("PUT", "/user/" + u.id, { body: changes, ifMatch: etag });
      say("Saved.");
      if (self) session.me = (await api("GET", "/me")).body;
      await userPage(u.id);
    } catch (err) {
      if (err.status === 412) {
        const fresh = await api("GET", "/user/" + u.id);
        etag = fresh.etag;
        // What changed since the form was opened, and what this save tried.
        const moved = userFields.map(f => f[0]).filter(k => JSON.stringify(fresh.body[k]) !== JSON.stringify(u[k]))
          .concat(fresh.body.userGroups && JSON.stringify(fresh.body.userGroups) !== JSON.stringify(u.userGroups) ? ["userGroups"] : []);
        const shown = [...new Set(moved.concat(Object.keys(changes)))];
        message.replaceChildren(h("div", { class: "notice bad", role: "alert" },
          h("p", {}, "This user was changed since you opened it, so nothing was saved. The values now:"),
          h("dl", { class: "facts" }, shown.flatMap(k => [h("dt", {}, k), h("dd", {}, JSON.stringify(fresh.body[k]) +
            (k in changes ? ` (you wanted ${JSON.stringify(changes[k])})` : ""))])),
          h("button", { type: "button", onclick: () => userPage(u.id) }, "Reload the form")));
      } else if (!form.showProblem(err)) {
        message.replaceChildren(problemNotice(err));
      }
    }
  };
  const sections = [
    h("p", {}, `Id ${u.id} · created ${when(u.created)} · updated ${when(u.updated)} `, tag(u.active, "active", "inactive"),
      u.superUser ? [" ", tag(true, "superuser", "", "su")] : []),
    h("form", { onsubmit: save, "aria-label": "Profile" }, form.element, message,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Save"))),
  ];
  if (!self || isAdmin()) sections.push(await membershipSection(u));
  sections.push(await tokenSection(u));
  sections.push(await historySection(u));
  if (!self && (isSuper() || isAdmin())) sections.push(dangerSection(u, etag));
  show(self ? "My profile" : fullName(u), ...sections);
}

// Names of the groups the signed-in user may read, by id.
async function groupNames() {
  if (!session.groupNames) {
    session.groupNames = new Map();
    try { for (const g of (await api("GET", "/usergroup?limit=1000")).body) session.groupNames.set(g.id, g.name); }
    catch (e) { if (e.status === 401) throw e; }
  }
  return session.groupNames;
}

async function membershipSection(u) {
  const names = await groupNames();
  const rows = u.userGroups.map(g => h("tr", {},
    h("td", {}, names.has(g.id) ? h("a", { href: "#/group/" + g.id }, names.get(g.id)) : "Group " + g.id),
    h("td", {}, g.admin ? "admin" : "member"),
    h("td", {}, isSuper() || adminGroups().includes(g.id)
      ? h("button", { type: "button", class: "plain", onclick: () => setRole(u, g.id, !g.admin) }, g.admin ? "Make member" : "Make admin")
      : "")));
  const groupInput = h("input", { id: "join-group", type: "number", min: 1, required: true });
  const asAdmin = h("input", { id: "join-admin", type: "checkbox" });
  return h("section", { "aria-labelledby": "memberships" }, h("h2", { id: "memberships" }, "Memberships"),
    rows.length ? h("table", {}, h("caption", {}, "Groups this user belongs to"),
      h("thead", {}, h("tr", {}, ["Group", "Role", "Change"].map(t => h("th", { scope: "col" }, t)))), h("tbody", {}, rows))
      : h("p", {}, "No memberships."),
    isAdmin() && h("form", { class: "toolbar", onsubmit: e => { e.preventDefault(); setRole(u, groupInput.value, asAdmin.checked); } },
      h("div", {}, h("label", { for: "join-group" }, "Add to group (id)"), groupInput),
      h("div", { class: "field check" }, asAdmin, h("label", { for: "join-admin" }, "as admin")),
      h("button", { type: "submit" }, "Add")));
}

async function setRole(u, group, admin) {
  try {
    await api("PUT", `/user/${u.id}?userGroupId=${encodeURIComponent(group)}&groupAdmin=${admin}`, { body: {} });
    say("Membership saved.");
    if (u.id === session.me.id) session.me = (await api("GET", "/me")).body;
    await userPage(u.id);
  } catch (e) { if (e.status !== 401) say(e.message); }
}

async function tokenSection(u) {
  const section = h("section", { "aria-labelledby": "tokens" }, h("h2", { id: "tokens" }, "Tokens"));
  let tokens;
  try { tokens = (await api("GET", `/user/${u.id}/token`)).body; }
  catch (e) {
    section.append(e.status === 403 ? h("p", {}, "Only the user and superusers manage a user's tokens.") : problemNotice(e));
    return section;
  }
  const shown = h("div", {});
  const description = h("input", { id: "token-description", type: "text", maxlength: 255 });
  const expires = h("select", { id: "token-expires" },
    [["", "never"], [86400, "1 day"], [2592000, "30 days"], [31536000, "1 year"]].map(([v, t]) => h("option", { value: v }, t)));
  section.append(
    tokens.length ? h("table", {}, h("caption", {}, "Tokens (their secrets are never shown again)"),
      h("thead", {}, h("tr", {}, ["Id", "Description", "Created", "Expires", "Last used", ""].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", {}, tokens.map(t => h("tr", {}, h("td", {}, String(t.id)), h("td", {}, t.description || ""),
        h("td", {}, when(t.created)), h("td", {}, when(t.expires)), h("td", {}, when(t.lastUsed)),
        h("td", {}, h("button", { type: "button", class: "danger", "aria-label": "Revoke token " + t.id, onclick: async () => {
          try { await api("DELETE", "/token/" + t.id); say("Token " + t.id + " revoked."); await userPage(u.id); }
          catch (e) { if (e.status !== 401) say(e.message); }
        } }, "Revoke"))))))
      : h("p", {}, "No tokens."),
    h("form", { class: "toolbar", onsubmit: async e => {
      e.preventDefault();
      const body = {};
      if (description.value.trim()) body.description = description.value.trim();
      if (expires.value) body.expiresIn = Number(expires.value);
      try {
        const made = (await api("POST", `/user/${u.id}/token`, { body })).body;
        shown.replaceChildren(secretNotice(made.token, () => userPage(u.id)));
        shown.querySelector("button").focus();
      } catch (err) { if (err.status !== 401) shown.replaceChildren(problemNotice(err)); }
    } },
      h("div", {}, h("label", { for: "token-description" }, "Description"), description),
      h("div", {}, h("label", { for: "token-expires" }, "Expires after"), expires),
      h("button", { type: "submit" }, "Create token")),
    shown);
  return section;
}

// A new secret, shown this once, with a copy button.
function secretNotice(secret, done) {
  const copied = h("span", { role: "status" });
  return h("div", { class: "notice", role: "alert" },
    h("p", {}, "The new token's secret. Copy it now: it is shown this once."),
    h("p", { class: "secret", id: "new-secret" }, secret),
    h("div", { class: "actions" },
      h("button", { type: "button", onclick: async () => {
        try { await navigator.clipboard.writeText(secret); copied.textContent = "Copied."; }
        catch { getSelection().selectAllChildren(document.getElementById("new-secret")); copied.textContent = "Selected: press Ctrl+C to copy."; }
      } }, "Copy"),
      done && h("button", { type: "button", class: "plain", onclick: done }, "Done"), copied));
}

async function historySection(u) {
  const section = h("section", { "aria-labelledby": "history" }, h("h2", { id: "history" }, "History"));
  try {
    const events = (await api("GET", `/user/${u.id}/history?limit=20`)).body;
    section.append(auditTable("The latest changes of this user", events));
  } catch (e) {
    if (e.status !== 403) section.append(problemNotice(e));
    else section.append(h("p", {}, "Only admins see a user's history."));
  }
  return section;
}

function dangerSection(u, etag) {
  const confirm = h("div", {});
  return h("section", { "aria-labelledby": "danger" }, h("h2", { id: "danger" }, "Deactivate or delete"),
    h("div", { class: "actions" },
      u.active && h("button", { type: "button", class: "plain", onclick: async () => {
        try { await api("PUT", "/user/" + u.id, { body: { active: false }, ifMatch: etag }); say("Deactivated."); await userPage(u.id); }
        catch (e) { if (e.status !== 401) confirm.replaceChildren(problemNotice(e)); }
      } }, "Deactivate"),
      isSuper() && h("button", { type: "button", class: "danger", onclick: () => {
        confirm.replaceChildren(h("div", { class: "notice bad", role: "alert" },
          h("p", {}, `Delete ${fullName(u)} (user ${u.id}) with their tokens and memberships? This cannot be undone.`),
          h("div", { class: "actions" },
            h("button", { type: "button", class: "danger", id: "confirm-delete", onclick: async () => {
              try { await api("DELETE", "/user/" + u.id, { ifMatch: etag }); say(`User ${u.id} deleted.`); location.hash = "#/users"; }
              catch (e) { if (e.status !== 401) confirm.replaceChildren(problemNotice(e)); }
            } }, "Delete for good"),
            h("button", { type: "button", class: "plain", onclick: () => confirm.replaceChildren() }, "Keep"))));
        document.getElementById("confirm-delete").focus();
      } }, "Delete…")),
    confirm);
}

// ---- groups ----

async function groupsPage(params) {
  const show = view();
  let offset = Number(params.get("offset")) || 0;
  const size = 25;
  const res = await api("GET", `/usergroup?offset=${offset}&limit=${size}`);
  const name = h("input", { id: "group-name", type: "text", required: true, maxlength: 255 });
  const client = h("input", { id: "group-client", type: "number", min: 1 });
  const message = h("div", {});
  show("Groups",
    res.body.length ? h("table", {}, h("caption", {}, "User groups"),
      h("thead", {}, h("tr", {}, ["Id", "Name", "clientId", "Members", "Admins"].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", {}, res.body.map(g => h("tr", {}, h("td", {}, String(g.id)), h("td", {}, h("a", { href: "#/group/" + g.id }, g.name)),
        h("td", {}, g.clientId === null ? "" : String(g.clientId)), h("td", {}, String(g.memberCount)), h("td", {}, String(g.adminCount))))))
      : h("p", {}, "No groups."),
    pager("Pages of groups", offset, size, res.body.length, undefined, to => { location.hash = "#/groups?offset=" + to; }),
    isSuper() && h("section", { "aria-labelledby": "new-group-h" }, h("h2", { id: "new-group-h" }, "New group"),
      h("form", { class: "toolbar", onsubmit: async e => {
        e.preventDefault();
        const body = { name: name.value.trim() };
        if (client.value) body.clientId = Number(client.value);
        try { const made = await api("POST", "/usergroup", { body }); session.groupNames = null; location.hash = "#/group/" + made.body; }
        catch (err) { if (err.status !== 401) message.replaceChildren(problemNotice(err)); }
      } },
        h("div", {}, h("label", { for: "group-name" }, "Name"), name),
        h("div", {}, h("label", { for: "group-client" }, "clientId (optional)"), client),
        h("button", { type: "submit" }, "Create group")), message));
}

async function groupPage(id, params) {
  const show = view();
  const g = (await api("GET", `/usergroup/${encodeURIComponent(id)}?limit=20`)).body;
  let offset = Number(params.get("offset")) || 0;
  const size = 20;
  const members = h("div", {});
  async function loadMembers() {
    const res = await api("GET", `/user?userGroupId=${g.id}&offset=${offset}&limit=${size}&total=true`);
    members.replaceChildren(usersTable(`Members of ${g.name} (admins included)`, res.body),
      pager("Pages of members", offset, size, res.body.length, res.total, to => { offset = to; loadMembers(); }));
  }
  // The group's admins, paged as GET /usergroup/{id} pages them.
  const admins = h("div", {});
  let adminOffset = 0;
  async function loadAdmins() {
    const page = (await api("GET", `/usergroup/${g.id}?offset=${adminOffset}&limit=${size}`)).body;
    admins.replaceChildren(page.admins.length
      ? h("ul", {}, page.admins.map(a => h("li", {}, h("a", { href: "#/user/" + a }, "user " + a))))
      : h("p", {}, "No admins."),
      pager("Pages of admins", adminOffset, size, page.admins.length, page.adminCount, to => { adminOffset = to; loadAdmins(); }));
  }
  const found = h("div", {});
  const search = h("input", { id: "member-search", type: "search", autocomplete: "off", oninput: async e => {
    const q = e.target.value.trim();
    if (!q) { found.replaceChildren(); return; }
    try {
      const res = await api("GET", "/user?limit=10&q=" + encodeURIComponent(q));
      found.replaceChildren(h("ul", {}, res.body.map(u => h("li", {}, `${fullName(u)} (${u.emailAddress || u.userName || "user " + u.id}) `,
        u.userGroups.some(m => m.id === g.id) ? "— a member"
          : h("button", { type: "button", class: "plain", "aria-label": "Add " + fullName(u), onclick: async () => {
            try { await api("PUT", `/user/${u.id}?userGroupId=${g.id}`, { body: {} }); say(fullName(u) + " added."); search.value = ""; found.replaceChildren(); await loadMembers(); }
            catch (err) { if (err.status !== 401) say(err.message); }
          } }, "Add")))));
    } catch (err) { if (err.status !== 401) found.replaceChildren(problemNotice(err)); }
  } });
  const confirm = h("div", {});
  show("Group " + g.name,
    h("dl", { class: "facts" }, h("dt", {}, "Id"), h("dd", {}, String(g.id)), h("dt", {}, "clientId"), h("dd", {}, g.clientId === null ? "none" : String(g.clientId)),
      h("dt", {}, "Members"), h("dd", {}, String(g.memberCount)), h("dt", {}, "Admins"), h("dd", {}, String(g.adminCount)),
      h("dt", {}, "Created"), h("dd", {}, when(g.created))),
    h("section", { "aria-labelledby": "members-h" }, h("h2", { id: "members-h" }, "Members"), members),
    h("section", { "aria-labelledby": "admins-h" }, h("h2", { id: "admins-h" }, "Admins"), admins),
    h("section", { "aria-labelledby": "add-h" }, h("h2", { id: "add-h" }, "Add members"),
      h("div", { class: "toolbar", role: "search" }, h("div", {}, h("label", { for: "member-search" }, "Find users to add"), search)), found),
    isSuper() && h("section", { "aria-labelledby": "delete-h" }, h("h2", { id: "delete-h" }, "Delete"),
      h("button", { type: "button", class: "danger", onclick: () => {
        confirm.replaceChildren(h("div", { class: "notice bad", role: "alert" },
          h("p", {}, `Delete group ${g.name} and its ${g.memberCount} memberships? The users stay.`),
          h("div", { class: "actions" }, h("button", { type: "button", class: "danger", id: "confirm-delete", onclick: async () => {
            try { await api("DELETE", "/usergroup/" + g.id); session.groupNames = null; say("Group deleted."); location.hash = "#/groups"; }
            catch (e) { if (e.status !== 401) confirm.replaceChildren(problemNotice(e)); }
          } }, "Delete for good"), h("button", { type: "button", class: "plain", onclick: () => confirm.replaceChildren() }, "Keep"))));
        document.getElementById("confirm-delete").focus();
      } }, "Delete group…"), confirm));
  await Promise.all([loadMembers(), loadAdmins()]);
}

// ---- audit trail ----

function auditTable(caption, events) {
  if (!events.length) return h("p", {}, "No events.");
  const actor = a => a ? [a.userId === null ? "" : "user " + a.userId, a.tokenId ? "token " + a.tokenId : "", a.address || ""].filter(Boolean).join(", ") : "rosterd";
  const subject = e => [e.userId && ["user ", h("a", { href: "#/user/" + e.userId }, String(e.userId))],
    e.userGroupId && ` group ${e.userGroupId}`, e.tokenId && ` token ${e.tokenId}`].filter(Boolean);
  return h("table", {}, h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ["When", "Action", "Record", "Fields", "By"].map(t => h("th", { scope: "col" }, t)))),
    h("tbody", {}, events.map(e => h("tr", {}, h("td", {}, when(e.at)), h("td", {}, e.action), h("td", {}, subject(e)),
      h("td", {}, (e.fields || []).join(", ")), h("td", {}, actor(e.actor))))));
}

// "2026-11-28T14:53" (a datetime-local, in the browser's zone) as UTC "…Z".
const toUtc = local => local ? new Date(local).toISOString().replace(/\.\d+Z$/, "Z") : "";

async function auditPage(params) {
  const show = view();
  let offset = Number(params.get("offset")) || 0;
  const size = 50;
  const filters = { userId: params.get("userId") || "", actor: params.get("actor") || "", since: params.get("since") || "", until: params.get("until") || "" };
  const results = h("div", {});
  async function load() {
    const p = new URLSearchParams({ offset, limit: size });
    for (const [k, v] of Object.entries(filters)) if (v) p.set(k, k === "since" || k === "until" ? toUtc(v) : v);
    setParams(new URLSearchParams(Object.entries({ ...filters, offset }).filter(([, v]) => v !== "" && v !== 0)));
    try {
      const res = await api("GET", "/audit?" + p);
      results.replaceChildren(auditTable("Events, newest first", res.body),
        pager("Pages of events", offset, size, res.body.length, undefined, to => { offset = to; load(); }));
    } catch (e) { if (e.status !== 401) results.replaceChildren(problemNotice(e)); }
  }
  const input = (name, label, type) => h("div", {}, h("label", { for: "audit-" + name }, label),
    h("input", { id: "audit-" + name, type, value: filters[name], min: type === "number" ? 1 : undefined, onchange: e => { filters[name] = e.target.value; offset = 0; load(); } }));
  show("Audit trail",
    h("form", { class: "toolbar", onsubmit: e => { e.preventDefault(); load(); } },
      input("userId", "About user (id)", "number"), input("actor", "By user (id)", "number"),
      input("since", "Since", "datetime-local"), input("until", "Until", "datetime-local"),
      h("button", { type: "submit" }, "Filter")),
    results);
  await load();
}

// ---- the operator's page ----

async function serverPage() {
  const show = view();
  const [info, health] = await Promise.all([api("GET", "/server"), fetch("/healthz").then(r => r.json())]);
  const s = info.body;
  const scimUrl = location.origin + "/scim/v2";
  const fact = (k, v) => [h("dt", {}, k), h("dd", {}, String(v))];
  const provisioned = h("div", {});
  show("Server",
    h("dl", { class: "facts" }, fact("Version", s.version), fact("Store", s.store), fact("Durability", s.store === "local" ? s.durability : "PostgreSQL commit"),
      fact("Node status (/healthz)", health.status + (health.stalenessMs !== undefined ? `, ${health.stalenessMs} ms behind at most` : "")),
      fact("Users", s.users), fact("Superusers", s.superUsers), fact("Groups", s.userGroups), fact("Tokens", s.tokens), fact("Audit events", s.auditEvents)),
    h("section", { "aria-labelledby": "backup-h" }, h("h2", { id: "backup-h" }, "Backup"),
      h("p", {}, "A consistent copy of the whole directory, taken while the server runs. Restore it with ", h("code", {}, "rosterd restore"), "."),
      h("button", { type: "button", onclick: async e => {
        e.target.disabled = true;
        try {
          const res = await api("GET", "/backup", { raw: true });
          const url = URL.createObjectURL(await res.blob());
          const a = h("a", { href: url, download: `rosterd-${new Date().toISOString().slice(0, 10)}.backup` });
          document.body.append(a); a.click(); a.remove();
          setTimeout(() => URL.revokeObjectURL(url), 10000);
          say("Backup downloaded.");
        } catch (err) { if (err.status !== 401) say(err.message); }
        e.target.disabled = false;
      } }, "Download a backup")),
    h("section", { "aria-labelledby": "idp-h" }, h("h2", { id: "idp-h" }, "Connect an identity provider (SCIM 2.0)"),
      h("dl", { class: "facts" }, fact("SCIM base URL", scimUrl)),
      h("p", {}, "A provisioning token belongs to a superuser of its own, so that the audit trail names the identity provider."),
      h("button", { type: "button", onclick: async () => {
        try {
          const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
          const user = (await api("POST", "/user", { body: { firstName: "Identity provider", lastName: stamp, userName: "scim-" + stamp, superUser: true } })).body;
          const made = (await api("POST", `/user/${user}/token`, { body: { description: "SCIM provisioning" } })).body;
          provisioned.replaceChildren(secretNotice(made.token));
        } catch (err) { if (err.status !== 401) provisioned.replaceChildren(problemNotice(err)); }
      } }, "Create a provisioning token"),
      provisioned,
      h("h3", {}, "Entra ID"),
      h("ol", { class: "steps" }, h("li", {}, "Enterprise applications → New application → Create your own application (non-gallery)."),
        h("li", {}, "Provisioning → Automatic: Tenant URL ", h("code", {}, scimUrl), ", Secret Token: the token above; Test Connection, Save."),
        h("li", {}, "Mappings: keep userName → userPrincipalName; Start provisioning.")),
      h("h3", {}, "Okta"),
      h("ol", { class: "steps" }, h("li", {}, "Applications → Create App Integration → SAML 2.0 or SWA, then General → Provisioning: SCIM."),
        h("li", {}, "SCIM connector base URL ", h("code", {}, scimUrl), ", unique identifier field userName, authentication HTTP Header: Bearer, the token above."),
        h("li", {}, "To App: enable Create Users, Update User Attributes and Deactivate Users."))));
}

// ---- start ----

window.addEventListener("hashchange", render);
renderChrome();
render();
