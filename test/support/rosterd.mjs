// rosterd for the tests that drive it from Node (test/browser/,
// test/proxy/): the real binary on a kernel-chosen port, and its API.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Starts `binary` with `args` on 127.0.0.1:0 in a new data directory;
// answers { url, log(), stop() } once it listens.
export async function startRosterd(binary, args = []) {
  const data = mkdtempSync(join(tmpdir(), "rosterd-test-"));
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
