// The CORS headers, proven in a real browser: headless Chromium loads a
// page from one loopback origin that calls rosterd on another with fetch()
// and an Authorization header (so the browser must send a preflight).
//   node test/browser/cors_test.mjs <rosterd binary>
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const here = dirname(fileURLToPath(import.meta.url));
const binary = process.argv[2];
const token = "5dd0c756d51b263fce5dbb0f6c0fecba";
const data = mkdtempSync(join(tmpdir(), "rosterd-browser-"));

function fail(message) {
  console.error("browser-test: " + message);
  process.exitCode = 1;
}

// rosterd on a kernel-chosen port, read back from its log.
const server = spawn(binary, ["--listen", "127.0.0.1:0", "--data-dir", join(data, "d"), "--bootstrap-token", token],
                     { stdio: ["ignore", "ignore", "pipe"] });
let log = "";
const apiPort = await new Promise((resolve, reject) => {
  server.stderr.on("data", chunk => {
    log += chunk;
    const m = log.match(/listening on 127\.0\.0\.1:(\d+)/);
    if (m) resolve(Number(m[1]));
  });
  server.on("exit", code => reject(new Error("rosterd exited with " + code + ": " + log)));
});

// The page, from another origin.
const page = readFileSync(join(here, "page.html"));
const pages = createServer((req, res) => { res.writeHead(200, { "Content-Type": "text/html" }); res.end(page); });
await new Promise(resolve => pages.listen(0, "127.0.0.1", resolve));
const pagePort = pages.address().port;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const tab = await browser.newPage();
  const api = `http://127.0.0.1:${apiPort}`;
  await tab.goto(`http://127.0.0.1:${pagePort}/?api=${encodeURIComponent(api)}&token=${token}`);
  await tab.waitForFunction(() => document.getElementById("result").textContent !== "running", null, { timeout: 15000 });
  const out = JSON.parse(await tab.textContent("#result"));
  console.log("browser-test: page saw", JSON.stringify(out));
  const expect = { putStatus: 200, putBody: "1", putContentType: "application/json", getStatus: 200,
                   firstName: "Browser", deniedStatus: 401, deniedType: "application/problem+json" };
  for (const [key, value] of Object.entries(expect))
    if (out[key] !== value) fail(`${key} is ${JSON.stringify(out[key])}, expected ${JSON.stringify(value)}`);
  if (out.error) fail("fetch failed: " + out.error);
  if (!/msg=request method=OPTIONS /.test(log)) fail("the browser sent no preflight");
} finally {
  await browser.close();
  pages.close();
  server.kill("SIGTERM");
  await new Promise(resolve => server.on("exit", resolve));
  rmSync(data, { recursive: true, force: true });
}
if (!process.exitCode) console.log("browser-test: CORS works in Chromium: preflight, PUT, GET and a 401 all readable");
