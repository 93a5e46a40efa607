// The CORS headers, proven in a real browser: headless Chromium loads a
// page from one loopback origin that calls rosterd on another with fetch()
// and an Authorization header (so the browser must send a preflight).
//   node test/browser/cors_test.mjs <rosterd binary>
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, startRosterd } from "./support.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.argv[2];
const token = "5dd0c756d51b263fce5dbb0f6c0fecba";

function fail(message) {
  console.error("browser-test: " + message);
  process.exitCode = 1;
}

const server = await startRosterd(binary, ["--bootstrap-token", token]);

// The page, from another origin.
const page = readFileSync(join(here, "page.html"));
const pages = createServer((req, res) => { res.writeHead(200, { "Content-Type": "text/html" }); res.end(page); });
await new Promise(resolve => pages.listen(0, "127.0.0.1", resolve));
const pagePort = pages.address().port;

const browser = await launchChromium();
try {
  const tab = await browser.newPage();
  const api = server.url;
  await tab.goto(`http://127.0.0.1:${pagePort}/?api=${encodeURIComponent(api)}&token=${token}`);
  await tab.waitForFunction(() => document.getElementById("result").textContent !== "running", null, { timeout: 15000 });
  const out = JSON.parse(await tab.textContent("#result"));
  console.log("browser-test: page saw", JSON.stringify(out));
  const expect = { putStatus: 200, putBody: "1", putContentType: "application/json", getStatus: 200,
                   firstName: "Browser", deniedStatus: 401, deniedType: "application/problem+json" };
  for (const [key, value] of Object.entries(expect))
    if (out[key] !== value) fail(`${key} is ${JSON.stringify(out[key])}, expected ${JSON.stringify(value)}`);
  if (out.error) fail("fetch failed: " + out.error);
  if (!/msg=request method=OPTIONS /.test(server.log())) fail("the browser sent no preflight");
} finally {
  await browser.close();
  pages.close();
  await server.stop();
}
if (!process.exitCode) console.log("browser-test: CORS works in Chromium: preflight, PUT, GET and a 401 all readable");
