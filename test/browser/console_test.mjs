// The web console in a real browser (headless Chromium), against the real
// binary: a superuser's, a group admin's and a plain user's flows, the 412
// conflict, a token's secret shown once, a user made with the keyboard
// alone, axe-core on every page (no serious or critical violation), and no
// console error or Content-Security-Policy violation anywhere.
//   node test/browser/console_test.mjs <rosterd binary> [screenshot folder]
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { call, launchChromium, seriousViolations, startRosterd } from "./support.mjs";

const binary = process.argv[2];
const shots = process.argv[3] || null;
const root = "0f4c1a7e9b2d3c5e8a6f7b1c2d3e4f50";
let failures = 0;

function check(ok, message) {
  if (!ok) {
    failures++;
    console.error("console-test: FAILED: " + message);
  }
}

const server = await startRosterd(binary, ["--bootstrap-token", root]);
const api = (token, method, path, body, headers) => call(server.url, token, method, path, body, headers);

// The directory the flows meet: a group with an admin and members, a plain user.
const ops = (await api(root, "POST", "/usergroup", { name: "ops" })).body;
const gina = (await api(root, "POST", `/user?userGroupId=${ops}&groupAdmin=true`,
                        { firstName: "Gina", lastName: "Admin", emailAddress: "gina@example.org" })).body;
const pat = (await api(root, "POST", `/user?userGroupId=${ops}`,
                       { firstName: "Pat", lastName: "Émile", emailAddress: "pat@example.org" })).body;
const outsider = (await api(root, "POST", "/user", { firstName: "Olga", lastName: "Outside" })).body;
// A name that would be markup if the console ever wrote it as HTML.
const hostile = (await api(root, "POST", "/user", { firstName: "<img src=x onerror=\"window.pwned=1\">", lastName: "Mallory" })).body;
for (let i = 0; i < 30; i++)
  await api(root, "POST", `/user?userGroupId=${ops}`, { firstName: "Member" + i, lastName: "Ops" });
const tokenOf = async id => (await api(root, "POST", `/user/${id}/token`, { description: "browser test" })).body.token;
const ginaToken = await tokenOf(gina);
const patToken = await tokenOf(pat);

const browser = await launchChromium();
const problems = [];

// A fresh browser context (its own sessionStorage) whose every console
// error, page error and CSP violation is a failure.
async function newTab(who) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  // The API's refusals that the flows provoke are the browser's console
  // errors too ("Failed to load resource: ... status of 403"): only those are let be.
  const expected = /^Failed to load resource: the server responded with a status of (400|401|403|412) /;
  page.on("console", m => { if (m.type() === "error" && !expected.test(m.text())) problems.push(`${who}: console: ${m.text()}`); });
  page.on("pageerror", e => problems.push(`${who}: page error: ${e.message}`));
  await page.addInitScript(() => document.addEventListener("securitypolicyviolation",
    e => console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI)));
  return { context, page };
}

async function accessible(page, name) {
  const v = await seriousViolations(page);
  check(v.length === 0, `axe on ${name}: ${v.join("; ")}`);
  return v.length;
}

async function signIn(page, token) {
  await page.goto(server.url + "/");
  await page.waitForSelector("#token");
  await page.fill("#token", token);
  await page.click("button[type=submit]");
  await page.waitForSelector("nav a");
}

const heading = page => page.textContent("h1");
// Waits until the page shown is the one titled `title`: the heading of the
// page before stays until the next one has loaded.
// Waits until the page has shown what it was loading (aria-busy gone).
const settled = page => page.waitForSelector("main:not([aria-busy])");
const showing = (page, title) => page.waitForFunction(t => document.querySelector("main h1")?.textContent === t, title);
let axeRuns = 0, axeViolations = 0;
const audit = async (page, name) => { axeRuns++; axeViolations += await accessible(page, name); };

try {
  // ---- a superuser ----
  {
    const { context, page } = await newTab("superuser");
    await page.goto(server.url + "/");
    check(page.url() === server.url + "/ui/", "GET / leads to /ui/, not " + page.url());
    await page.waitForSelector("#token");
    await audit(page, "sign-in");
    await page.fill("#token", "not-a-token-at-all");
    await page.click("button[type=submit]");
    await page.waitForSelector("#token-error:has-text('does not work')");
    await page.fill("#token", root);
    await page.click("button[type=submit]");
    await page.waitForSelector("#results table");
    check(await heading(page) === "Users", "a superuser lands on Users");
    check(await page.evaluate(() => sessionStorage.getItem("rosterd.token")) === root, "the token is in sessionStorage");
    check(await page.evaluate(() => localStorage.length) === 0, "nothing in localStorage");
    check((await context.cookies()).length === 0, "no cookie");
    await audit(page, "users");

    // Search as you type: case and accents as the server folds them.
    await page.fill("#user-search", "émi");
    await page.waitForSelector("#results caption:has-text('émi')");
    const found = await page.$$eval("#results tbody tr", rows => rows.map(r => r.textContent));
    check(found.length === 1 && found[0].includes("Pat"), "searching émi finds Pat only: " + found);
    await page.fill("#user-search", "mallory");
    await page.waitForSelector("#results caption:has-text('mallory')");
    check((await page.textContent("#results tbody")).includes("<img src=x"), "a name that looks like markup is shown as text");
    check(await page.evaluate(() => window.pwned === undefined && !document.querySelector("#results img")), "and is never markup");
    await page.fill("#user-search", "member");
    await page.waitForSelector("#results caption:has-text('member')");
    check((await page.textContent(".pager .count")).includes("of 30"), "30 members counted");
    await page.selectOption("#user-size", "10");
    await page.waitForFunction(() => document.querySelectorAll("#results tbody tr").length === 10);
    await page.click(".pager button:has-text('Last')");
    await page.waitForFunction(() => document.querySelector(".pager .count").textContent.startsWith("21–30"));
    if (shots) {
      await page.fill("#user-search", "");
      await page.waitForFunction(() => !document.querySelector("#results caption").textContent.includes("matching"));
      await page.screenshot({ path: join(shots, "console-users.png") });
    }

    // A user's page; a save with If-Match; the 412 when someone else saved first.
    await page.goto(server.url + `/ui/#/user/${pat}`);
    await page.waitForSelector("#f-description");
    await audit(page, "a user");
    await page.fill("#f-description", "on call");
    await page.click("form[aria-label=Profile] button[type=submit]");
    await page.waitForSelector("#status:has-text('Saved.')");
    check((await api(root, "GET", `/user/${pat}`)).body.description === "on call", "the description was saved");
    await settled(page);
    await api(root, "PUT", `/user/${pat}`, { lastName: "Changed-Elsewhere" });
    await page.fill("#f-firstName", "Patricia");
    await page.click("form[aria-label=Profile] button[type=submit]");
    await page.waitForSelector("text=changed since you opened it");
    const notice = await page.textContent("[role=alert]:has-text('changed since')");
    check(notice.includes("\"Changed-Elsewhere\"") && notice.includes("you wanted \"Patricia\""),
          "the 412 shows the values now and what the save tried: " + notice);
    check((await api(root, "GET", `/user/${pat}`)).body.firstName === "Pat", "the conflicting save changed nothing");
    // A 400 next to its field.
    await page.click("button:has-text('Reload the form')");
    await settled(page);
    await page.fill("#f-phoneNumber", "12");
    await page.click("form[aria-label=Profile] button[type=submit]");
    await page.waitForSelector("#f-phoneNumber-error:not(:empty)");
    check(await page.getAttribute("#f-phoneNumber", "aria-invalid") === "true", "the phone number is marked invalid");
    check((await page.textContent("#f-phoneNumber-error")).includes("E.164"), "the server's detail is shown by its field");

    // A token: its secret shown once.
    await page.reload();
    await page.waitForSelector("#token-description");
    await page.fill("#token-description", "made in the console");
    await page.click("button:has-text('Create token')");
    await page.waitForSelector("#new-secret");
    const secret = (await page.textContent("#new-secret")).trim();
    check((await api(secret, "GET", "/me")).body.id === pat, "the secret shown works as Pat's token");
    if (shots) await page.screenshot({ path: join(shots, "console-user.png"), fullPage: true });
    await page.click("button:has-text('Done')");
    await page.waitForSelector("text=made in the console");
    check(!(await page.textContent("main")).includes(secret), "the secret is not shown again");

    for (const [hash, name, title] of [["#/groups", "groups", "Groups"], [`#/group/${ops}`, "a group", "Group ops"],
                                       ["#/audit", "audit trail", "Audit trail"], ["#/server", "server", "Server"],
                                       [`#/user/new`, "new user", "New user"]]) {
      await page.goto(server.url + "/ui/" + hash);
      await showing(page, title);
      await page.waitForLoadState("networkidle");
      await audit(page, name);
    }
    await page.goto(server.url + "/ui/#/server");
    await page.waitForSelector("dt:has-text('Durability')");
    check((await page.textContent("main")).includes("strict"), "the server page shows the durability");
    await page.goto(server.url + `/ui/#/audit?userId=${pat}`);
    await page.waitForSelector("main tbody tr");
    check((await page.textContent("main tbody tr td:nth-child(3)")).startsWith(`user ${pat}`), "an event names its user");
    check((await page.textContent("main tbody")).includes("user.updated"), "the audit trail shows Pat's updates");

    // Keyboard only: from the users page to a new user.
    await page.goto(server.url + "/ui/#/users");
    await page.waitForSelector("#results table");
    await page.keyboard.press("Tab");   // per page
    await page.keyboard.press("Tab");   // New user
    check(await page.evaluate(() => document.activeElement.textContent) === "New user", "Tab reaches New user");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#f-firstName");
    await page.keyboard.press("Tab");   // from the page (focused on arrival) to its first field
    check(await page.evaluate(() => document.activeElement.id) === "f-firstName", "Tab reaches the first field");
    await page.keyboard.type("Keyboard");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Only");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /#\/user\/\d+$/.test(location.hash));
    const made = Number((await page.evaluate(() => location.hash)).split("/").pop());
    const madeUser = (await api(root, "GET", `/user/${made}`)).body;
    check(madeUser.firstName === "Keyboard" && madeUser.lastName === "Only", "the keyboard made Keyboard Only");

    // Sign out forgets the token.
    await page.click("button:has-text('Sign out')");
    await page.waitForSelector("#token");
    check(await page.evaluate(() => sessionStorage.getItem("rosterd.token")) === null, "sign out forgets the token");
    await context.close();
  }

  // ---- a group admin ----
  {
    const { context, page } = await newTab("group admin");
    await signIn(page, ginaToken);
    const links = await page.$$eval("nav a", as => as.map(a => a.textContent));
    check(JSON.stringify(links) === JSON.stringify(["Users", "Groups", "Audit trail", "My profile"]),
          "a group admin's menu: " + links);
    await page.waitForSelector("#results table");
    const total = await page.textContent(".pager .count");
    check(total.includes("of 32"), "a group admin sees the 32 members of ops (themselves included): " + total);
    check(hostile > 0, "the hostile name was made");
    await page.fill("#user-search", "olga");
    await page.waitForSelector("#results p:has-text('No user matches')");
    await audit(page, "users (group admin)");
    await page.goto(server.url + `/ui/#/user/${outsider}`);
    await showing(page, "Something went wrong");
    check((await page.textContent("main")).includes("403"), "an outsider's page is refused to a group admin");
    await page.goto(server.url + "/ui/#/user/new");
    await page.waitForSelector("#new-group");
    await audit(page, "new user (group admin)");
    await page.fill("#f-firstName", "Newbie");
    await page.click("button:has-text('Create user')");
    await page.waitForFunction(() => /#\/user\/\d+$/.test(location.hash));
    const newbie = Number((await page.evaluate(() => location.hash)).split("/").pop());
    check((await api(root, "GET", `/user/${newbie}`)).body.userGroups.some(g => g.id === ops), "the new user is in ops");
    await showing(page, "Newbie");
    check(await page.isDisabled("#f-superUser"), "a group admin cannot set superUser");
    await page.goto(server.url + `/ui/#/group/${ops}`);
    await page.waitForSelector("#member-search");
    check((await page.textContent("nav[aria-label='Pages of admins'] .count")) === "1–1 of 1", "ops has one admin, paged");
    check((await page.textContent("nav[aria-label='Pages of members'] .count")).includes("of 33"), "and 33 members now");
    await audit(page, "a group (group admin)");
    await context.close();
  }

  // ---- a plain user ----
  {
    const { context, page } = await newTab("plain user");
    await signIn(page, patToken);
    await page.waitForSelector("#f-firstName");
    check(await heading(page) === "My profile", "a plain user lands on their profile");
    const links = await page.$$eval("nav a", as => as.map(a => a.textContent));
    check(JSON.stringify(links) === JSON.stringify(["My profile"]), "a plain user's menu: " + links);
    check(await page.isDisabled("#f-superUser") && await page.isDisabled("#f-remarks") && !(await page.isDisabled("#f-firstName")),
          "a plain user may change only their own plain fields");
    await audit(page, "my profile");
    await page.fill("#token-description", "my laptop");
    await page.click("button:has-text('Create token')");
    await page.waitForSelector("#new-secret");
    await audit(page, "my profile with a new token");
    // A 401 returns to sign-in: the token is revoked elsewhere.
    const mine = (await api(root, "GET", `/user/${pat}/token`)).body;
    for (const t of mine) await api(root, "DELETE", `/token/${t.id}`);
    await page.goto(server.url + "/ui/#/users");
    await page.reload();
    await page.waitForSelector("#token");
    check(await page.evaluate(() => sessionStorage.getItem("rosterd.token")) === null, "a 401 forgets the token");
    await context.close();
  }
} catch (e) {
  failures++;
  console.error("console-test: FAILED: " + (e.stack || e));
} finally {
  await browser.close();
  await server.stop();
}

for (const p of problems) check(false, p);
console.log(`console-test: axe-core ran on ${axeRuns} pages: ${axeViolations} serious or critical violations`);
if (failures) {
  console.error(`console-test: ${failures} failure(s)`);
  process.exitCode = 1;
} else {
  console.log("console-test: every flow passed, with no console error and no CSP violation");
}
