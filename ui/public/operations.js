// The rosterd web console: the audit trail and the operator's page (console.js has the API and the page's frame).
"use strict";

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
