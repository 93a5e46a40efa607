// The rosterd web console: groups and a group's page (console.js has the API and the page's frame).
"use strict";

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
