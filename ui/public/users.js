// The rosterd web console: the users list and a user's page (console.js has the API and the page's frame).
"use strict";

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
