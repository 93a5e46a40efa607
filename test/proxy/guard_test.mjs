// rosterd guarding an app behind real proxies: Debian's nginx
// (auth_request) and Caddy (forward_auth) in front of a tiny upstream
// that echoes the Remote-* headers it received, against the real binary.
//   node test/proxy/guard_test.mjs <rosterd binary> [nginx] [caddy]
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, startRosterd } from "../support/rosterd.mjs";

const [binary, nginxBinary = "/usr/sbin/nginx", caddyBinary = "/usr/bin/caddy"] = process.argv.slice(2);
const root = "3c1f5e7a9b0d2e4f6a8c0b1d3e5f7a9c";
let failures = 0;
function check(ok, message) {
  if (!ok) {
    failures++;
    console.error("guard-test: FAILED: " + message);
  }
}

async function freePort() {
  const s = createServer();
  await new Promise(resolve => s.listen(0, "127.0.0.1", resolve));
  const port = s.address().port;
  await new Promise(resolve => s.close(resolve));
  return port;
}

async function waitForPort(port, what, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch { await new Promise(r => setTimeout(r, 50)); }
  }
  throw new Error(`${what} did not listen on ${port}`);
}

const work = mkdtempSync(join(tmpdir(), "rosterd-guard-"));
const rosterd = await startRosterd(binary, ["--bootstrap-token", root]);
const rosterdPort = new URL(rosterd.url).port;
const api = (token, method, path, body) => call(rosterd.url, token, method, path, body);
const children = [];

// The directory: Ann in ops, Bob in nothing, Eve with names that try to
// write headers of their own, and a group whose name holds a comma.
const ops = (await api(root, "POST", "/usergroup", { name: "ops" })).body;
const tricky = (await api(root, "POST", "/usergroup", { name: "admins, ops" })).body;
const ann = (await api(root, "POST", `/user?userGroupId=${ops}`,
                       { firstName: "Ann", lastName: "Émile", emailAddress: "ann@example.org", userName: "ann" })).body;
const bob = (await api(root, "POST", "/user", { firstName: "Bob" })).body;
const eve = (await api(root, "POST", `/user?userGroupId=${tricky}`,
                       { firstName: "Eve\", Remote-User: root", lastName: "X-Injected: 1" })).body;
const crlf = await api(root, "PUT", `/user/${eve}`, { lastName: "a\r\nRemote-User: root" });
check(crlf.status === 400, "a name with CR LF is refused at the API: " + crlf.status);
const tokenOf = async id => (await api(root, "POST", `/user/${id}/token`, {})).body.token;
const annToken = await tokenOf(ann), bobToken = await tokenOf(bob), eveToken = await tokenOf(eve);

try {
  // The protected app: echoes the identity headers it was given.
  const upstreamPort = await freePort();
  const nginxPort = await freePort();
  const caddyPort = await freePort();
  mkdirSync(join(work, "nginx", "tmp"), { recursive: true });
  const copy = ["Remote-User", "Remote-User-Id", "Remote-Email", "Remote-Name", "Remote-Groups"];
  const variable = h => "$guard_" + h.toLowerCase().replace(/-/g, "_");
  const authLocation = (name, query) => `
    location = /${name} {
      internal;
      proxy_pass http://rosterd/auth${query};
      proxy_method GET;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }`;
  const guarded = (path, auth) => `
    location ${path} {
      auth_request /${auth};
      ${copy.map(h => `auth_request_set ${variable(h)} $upstream_http_${h.toLowerCase().replace(/-/g, "_")};`).join("\n      ")}
      ${copy.map(h => `proxy_set_header ${h} ${variable(h)};`).join("\n      ")}
      proxy_pass http://127.0.0.1:${upstreamPort};
    }`;
  writeFileSync(join(work, "nginx", "nginx.conf"), `
events {}
http {
  access_log off;
  client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
  upstream rosterd { server 127.0.0.1:${rosterdPort}; keepalive 8; }
  server {
    listen 127.0.0.1:${upstreamPort};
    location / {
      default_type text/plain;
      return 200 "user=$http_remote_user\\nid=$http_remote_user_id\\nemail=$http_remote_email\\nname=$http_remote_name\\ngroups=$http_remote_groups\\ninjected=$http_x_injected\\n";
    }
  }
  server {
    listen 127.0.0.1:${nginxPort};
    ${guarded("/", "guard")}
    ${guarded("/ops/", "guard-ops")}
    ${authLocation("guard", "")}
    ${authLocation("guard-ops", "?group=ops")}
  }
}
`);
  const nginx = spawn(nginxBinary, ["-p", join(work, "nginx"), "-c", "nginx.conf", "-e", "stderr",
                                    "-g", `daemon off; master_process off; pid ${join(work, "nginx", "nginx.pid")};`],
                      { stdio: ["ignore", "ignore", "inherit"] });
  children.push(nginx);
  await waitForPort(nginxPort, "nginx", nginx);

  writeFileSync(join(work, "Caddyfile"), `{
  admin off
  auto_https off
}
http://127.0.0.1:${caddyPort} {
  @ops path /ops/*
  forward_auth @ops 127.0.0.1:${rosterdPort} {
    uri /auth?group=ops
    copy_headers ${copy.join(" ")}
  }
  forward_auth 127.0.0.1:${rosterdPort} {
    uri /auth
    copy_headers ${copy.join(" ")}
  }
  reverse_proxy 127.0.0.1:${upstreamPort}
}
`);
  const caddy = spawn(caddyBinary, ["run", "--config", join(work, "Caddyfile"), "--adapter", "caddyfile"], {
    stdio: ["ignore", "ignore", "ignore"],
    env: { ...process.env, HOME: work, XDG_DATA_HOME: join(work, "data"), XDG_CONFIG_HOME: join(work, "config") },
  });
  children.push(caddy);
  await waitForPort(caddyPort, "caddy", caddy);

  const echo = text => Object.fromEntries(text.trim().split("\n").map(l => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  for (const [proxy, port] of [["nginx", nginxPort], ["caddy", caddyPort]]) {
    const through = async (path, token, method = "GET") => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`,
                              { method, headers: token ? { Authorization: "Bearer " + token } : {} });
      return { status: res.status, text: await res.text(), headers: res.headers };
    };
    // A valid token reaches the app with who it is.
    const a = await through("/app", annToken);
    check(a.status === 200, `${proxy}: Ann reaches the app (${a.status})`);
    const seen = echo(a.text);
    check(seen.user === "ann" && seen.id === String(ann) && seen.email === "ann@example.org"
          && seen.groups === "ops", `${proxy}: the app is told who Ann is: ${JSON.stringify(seen)}`);
    check(seen.name === "Ann Émile", `${proxy}: Ann's name, in UTF-8: ${seen.name}`);
    if (proxy === "nginx") {
      const post = await through("/app", annToken, "POST");
      check(post.status === 200, `${proxy}: a POST is guarded as a GET is (${post.status})`);
    }
    // No token, or a wrong one: 401, and the app is never reached.
    const none = await through("/app");
    check(none.status === 401 && !none.text.includes("user="), `${proxy}: no token is 401 (${none.status})`);
    check((none.headers.get("www-authenticate") || "").startsWith("Bearer"), `${proxy}: the 401 names Bearer`);
    const wrong = await through("/app", "0123456789abcdef0123456789abcdef");
    check(wrong.status === 401, `${proxy}: an unknown token is 401 (${wrong.status})`);
    // A rule: only members of ops.
    check((await through("/ops/x", annToken)).status === 200, `${proxy}: Ann (ops) reaches /ops/`);
    const outsider = await through("/ops/x", bobToken);
    check(outsider.status === 403 && !outsider.text.includes("user="), `${proxy}: Bob (not in ops) gets 403 (${outsider.status})`);
    // Names that try to be headers arrive as data; a comma in a group's name
    // does not make a second group.
    const e = await through("/app", eveToken);
    const eseen = echo(e.text);
    check(e.status === 200 && eseen.user === String(eve), `${proxy}: Eve is user ${eve}: ${JSON.stringify(eseen)}`);
    check(eseen.name === "Eve\", Remote-User: root X-Injected: 1" && eseen.injected === "",
          `${proxy}: Eve's name reaches the app as one value: ${JSON.stringify(eseen)}`);
    check(eseen.groups === "\"admins, ops\"", `${proxy}: the group "admins, ops" is one quoted item: ${eseen.groups}`);
    check((await through("/ops/x", eveToken)).status === 403, `${proxy}: "admins, ops" is not ops`);
  }
  // Revoked: 401 at once through either proxy (a local store; a cluster's
  // bound is --max-staleness).
  const tokens = (await api(root, "GET", `/user/${ann}/token`)).body;
  for (const t of tokens) await api(root, "DELETE", `/token/${t.id}`);
  for (const port of [nginxPort, caddyPort]) {
    const res = await fetch(`http://127.0.0.1:${port}/app`, { headers: { Authorization: "Bearer " + annToken } });
    check(res.status === 401, `port ${port}: a revoked token is 401 at once (${res.status})`);
  }
  // Deactivated: 401.
  await api(root, "PUT", `/user/${bob}`, { active: false });
  const off = await fetch(`http://127.0.0.1:${nginxPort}/app`, { headers: { Authorization: "Bearer " + bobToken } });
  check(off.status === 401, `a deactivated user's token is 401 (${off.status})`);
  // Counted by outcome, and logged without the token.
  const metrics = await (await fetch(rosterd.url + "/metrics")).text();
  for (const status of ["200", "401", "403"])
    check(new RegExp(`route="/auth",status="${status}"`).test(metrics), `/metrics counts /auth ${status}`);
  check(!rosterd.log().includes(annToken) && !rosterd.log().includes(bobToken), "no token in the log");
  const lastUsed = (await api(root, "GET", `/user/${eve}/token`)).body[0].lastUsed;
  check(lastUsed !== null, "a guarded request counts as the token's use");
} catch (e) {
  failures++;
  console.error("guard-test: FAILED: " + (e.stack || e));
} finally {
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map(c => c.exitCode !== null ? null : new Promise(r => c.on("exit", r))));
  await rosterd.stop();
  rmSync(work, { recursive: true, force: true });
}
if (failures) {
  console.error(`guard-test: ${failures} failure(s)`);
  process.exitCode = 1;
} else {
  console.log("guard-test: nginx and Caddy guard the app with rosterd: who, 401, 403, rules, injection, revocation");
}
