// The rosterd web console: a user's memberships, tokens, history, deactivation and deletion (console.js has the API and the page's frame).
"use strict";

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
