// The web console's figures against a running rosterd (scripts/bench-console):
//   - first visit: ms from navigation to the users page's first results,
//     and the bytes it loaded (the console's files, then the data);
//   - a second visit: the bytes of the console's files it loaded again;
//   - each keystroke of a search typed letter by letter: ms from the key to
//     its results on the page;
//   - beside them, the browser's own floor: a static page of a heading and
//     a table, served by Node, to its first paint, on first visits too.
//   node test/browser/console_timings.mjs <url> <token> <word>...
import { createServer } from "node:http";
import { launchChromium } from "./support.mjs";

const [url, token, ...words] = process.argv.slice(2);
const browser = await launchChromium();
// A browser already running, as a visitor's is: its first page (fonts, a
// renderer) is paid for elsewhere, in a context of its own.
{
  const warm = await browser.newContext();
  const blank = await warm.newPage();
  await blank.setContent("<p style='font-family: system-ui'>warm</p><table><tr><td>up</td></tr></table>");
  await warm.close();
}
// First visits, each in a new context (an empty cache); then a second
// visit in the last one's context.
const visits = Number(process.env.CONSOLE_VISITS || 5);
let context;

const isData = u => !new URL(u).pathname.startsWith("/ui/");
async function visit() {
  const page = await context.newPage();
  const loaded = { files: 0, data: 0, fileRequests: 0 };
  page.on("requestfinished", async request => {
    // What crossed the wire: nothing for a file from the browser's cache.
    const sizes = await request.sizes();
    const bytes = sizes.responseHeadersSize + sizes.responseBodySize;
    if (isData(request.url())) loaded.data += bytes;
    else { loaded.files += bytes; if (bytes) loaded.fileRequests++; }
  });
  await page.goto(url + "/ui/#/users", { waitUntil: "commit" });
  await page.waitForSelector("#results table");
  const firstResults = Number(await page.getAttribute("#results", "data-loaded"));
  await page.waitForLoadState("networkidle");
  // The page's load event: its files are in; what follows is the console's own work.
  const loadEvent = await page.evaluate(() => performance.getEntriesByType("navigation")[0].loadEventStart);
  if (process.env.CONSOLE_TIMINGS_DETAIL)
    console.error(JSON.stringify(await page.evaluate(() => performance.getEntries().map(e =>
      [e.name.replace(location.origin, ""), Math.round(e.startTime), Math.round(e.responseEnd || e.startTime + e.duration)]))));
  return { page, firstResults, afterLoad: Math.max(0, firstResults - loadEvent), loaded };
}

// The floor: what this browser takes for a page that needs nothing.
const staticPage = createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
  res.end("<!doctype html><title>static</title><h1>Users</h1><table><tr><td>1</td><td>Ann</td></tr></table>");
});
await new Promise(resolve => staticPage.listen(0, "127.0.0.1", resolve));
const floor = [];
for (let i = 0; i < visits; i++) {
  const c = await browser.newContext();
  const p = await c.newPage();
  await p.goto(`http://127.0.0.1:${staticPage.address().port}/`);
  await p.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0);
  floor.push(await p.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0].startTime));
  await c.close();
}
staticPage.close();

const firsts = [];
for (let i = 0; i < visits; i++) {
  if (context) await context.close();
  context = await browser.newContext();
  await context.addInitScript(t => sessionStorage.setItem("rosterd.token", t), token);
  firsts.push(await visit());
}
const first = firsts[firsts.length - 1];
const again = await visit();
const keystrokes = [];
const page = again.page;
for (const word of words) {
  await page.fill("#user-search", "");
  await page.waitForFunction(() => !document.querySelector("#results caption")?.textContent.includes("matching"));
  for (const letter of word) {
    const before = await page.evaluate(() => performance.now());
    await page.press("#user-search", letter);
    await page.waitForFunction(b => Number(document.getElementById("results").dataset.loaded) > b, before);
    keystrokes.push(Number(await page.getAttribute("#results", "data-loaded")) - before);
  }
}
await browser.close();

const median = values => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]);
};
const firstResults = firsts.map(v => v.firstResults);
const afterLoad = firsts.map(v => v.afterLoad);
console.log(JSON.stringify({
  firstVisits: visits, firstResultsMedianMs: median(firstResults), firstResultsMaxMs: Math.round(Math.max(...firstResults)),
  afterLoadMedianMs: median(afterLoad), afterLoadMaxMs: Math.round(Math.max(...afterLoad)),
  staticPageMedianMs: median(floor),
  firstVisitFileBytes: first.loaded.files, firstVisitFileRequests: first.loaded.fileRequests,
  firstVisitDataBytes: first.loaded.data,
  secondVisitFileBytes: again.loaded.files, secondVisitFileRequests: again.loaded.fileRequests,
  keystrokes: keystrokes.length,
  keystrokeMedianMs: median(keystrokes), keystrokeMaxMs: Math.round(Math.max(...keystrokes)),
}));
