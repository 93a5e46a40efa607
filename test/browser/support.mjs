// What the browser tests share: Debian's Chromium through playwright-core,
// and axe-core; rosterd itself and its API from ../support/rosterd.mjs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export { call, startRosterd } from "../support/rosterd.mjs";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

// Debian's Chromium, headless, with nothing that reaches for the network.
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
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
