// What the browser tests share: rosterd on a kernel-chosen port, Debian's
// Chromium through playwright-core, the API from Node, and axe-core.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

// Starts `binary` with `args` on 127.0.0.1:0 in a new data directory;
// answers { url, log(), stop() } once it listens.
export async function startRosterd(binary, args = []) {
  const data = mkdtempSync(join(tmpdir(), "rosterd-browser-"));
  const server = spawn(binary, ["--listen", "127.0.0.1:0", "--data-dir", join(data, "d"), ...args],
                       { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const port = await new Promise((resolve, reject) => {
    server.stderr.on("data", chunk => {
      log += chunk;
      const m = log.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    server.on("exit", code => reject(new Error("rosterd exited with " + code + ": " + log)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    async stop() {
      server.kill("SIGTERM");
      await new Promise(resolve => server.on("exit", resolve));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

// Debian's Chromium, headless, with nothing that reaches for the network.
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

// Calls rosterd's API from Node: { status, body, headers }.
export async function call(base, token, method, path, body, headers = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: "Bearer " + token, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed, headers: res.headers };
}

const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// axe-core's serious and critical violations on the page as it is now.
export async function seriousViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined")))
    await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
}
