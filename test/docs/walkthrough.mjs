// Runs a document's shell blocks in order, as a reader would paste them, in
// one bash session in a fresh directory, and compares what each command
// prints with what the document shows:
//
//   cmd                          # 7          the output is 7 (or this JSON)
//   cmd                          # ... x ...  the output contains x
//   cmd                          # refused: x the command fails, saying x
//   cmd                                        comment lines right after a
//   # {"id":2,"token":"..."}                   command are its output; "..."
//                                              is any JSON string, ... any text
//
// Any other trailing comment is prose. A block after the line
// <!-- walkthrough: skip (why) --> is not run (it needs systemd, or is this
// test suite itself); every other ```sh block is.
//
// usage: node walkthrough.mjs DOC REPO   (the repository's build/release on PATH)
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const [doc, repo] = process.argv.slice(2).map((p) => resolve(p));
const lines = readFileSync(doc, "utf8").split("\n");

// The blocks, each a list of steps {command, annotation, expect[], line}.
function parse() {
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)\s*$/.exec(lines[i]);
    if (!fence) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === "") before--;
    const skip = before >= 0 && /<!-- walkthrough: skip/.test(lines[before]);
    if (fence[1] === "sh") blocks.push({ line: i + 1, skip, steps: steps(i + 1, end) });
    i = end;
  }
  return blocks;
}

function steps(from, to) {
  const out = [];
  let last = null; // the step a following comment line may be the output of
  for (let i = from; i < to; i++) {
    const text = lines[i];
    if (text.trim() === "") { last = null; continue; }
    if (text.startsWith("#")) {
      const shown = text.replace(/^#\s?/, "");
      if (last) last.expect.push(shown);
      continue;
    }
    const step = { line: i + 1, command: "", annotation: "", expect: [] };
    let command = text;
    while (command.endsWith("\\") && i + 1 < to) command += "\n" + lines[++i];
    const heredoc = /<<-?'?(\w+)'?/.exec(command);
    if (heredoc) {
      while (i + 1 < to && lines[i + 1] !== heredoc[1]) command += "\n" + lines[++i];
      command += "\n" + lines[++i];
    }
    const comment = heredoc ? -1 : command.indexOf("  # ");
    if (comment >= 0) {
      const parts = command.slice(comment).split(/\s{2,}# /);
      step.annotation = parts[parts.length - 1].trim();
      command = command.slice(0, comment);
    }
    step.command = command;
    out.push(step);
    last = step;
  }
  return out;
}

// A shown output as a regular expression: "..." is any string, ... anything.
function pattern(shown) {
  const marks = shown.replace(/\s+<- .*$/, "").trim().split(/("\.\.\."|\.\.\.)/);
  const re = marks.map((m) => (m === '"..."' ? '"[^"]*"' : m === "..." ? "[\\s\\S]*?" : m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  return new RegExp("^" + re.join("") + "$");
}

function verdict(step, output, rc) {
  const got = output.trim();
  const a = step.annotation;
  if (step.expect.length > 0) {
    // JSON shown over several lines is one line; other output is compared
    // line by line, less trailing blanks.
    const json = /^[[{]/.test(step.expect[0]);
    const shown = json ? step.expect.map((l) => l.trim()).join("") : step.expect.map((l) => l.trimEnd()).join("\n");
    const printed = json ? got : got.split("\n").map((l) => l.trimEnd()).join("\n");
    if (!pattern(shown).test(printed)) return `shows ${shown}`;
  }
  if (/^refused: /.test(a)) {
    if (rc === 0) return "should have failed";
    return got.includes(a.slice(9)) ? null : `should say "${a.slice(9)}"`;
  }
  if (rc !== 0) return `exit status ${rc}`;
  if (/^\.\.\. .* \.\.\.$/.test(a)) return got.includes(a.slice(4, -4)) ? null : `should contain ${a.slice(4, -4)}`;
  if (/^(-?\d+|[[{].*)$/.test(a) && !pattern(a).test(got)) return `should print ${a}`;
  return null;
}

// The documents' servers listen on these: a server already there would
// answer in their place.
for (const port of [8080, 8443]) {
  const busy = await new Promise((done) => {
    const probe = net.connect(port, "127.0.0.1");
    probe.on("connect", () => { probe.destroy(); done(true); });
    probe.on("error", () => done(false));
  });
  if (busy) { console.log(`walkthrough: port ${port} is in use; the documents' examples listen there`); process.exit(1); }
}

const dir = mkdtempSync(join(tmpdir(), "walkthrough-"));
// A fresh directory that holds the repository's scripts, as a checkout would.
for (const entry of ["scripts", "conf", "docs"]) symlinkSync(join(repo, entry), join(dir, entry));
const bash = spawn("bash", ["--norc", "--noprofile"], {
  cwd: dir,
  detached: true,
  stdio: ["pipe", "inherit", "inherit"],
  env: { ...process.env, PATH: `${join(repo, "build/release")}:${process.env.PATH}` },
});

async function run(step, n) {
  const out = join(dir, `.out.${n}`), rc = join(dir, `.rc.${n}`);
  bash.stdin.write(`{\n${step.command}\n} >${out} 2>&1 </dev/null; echo $? >${rc}.tmp; mv ${rc}.tmp ${rc}\n`);
  const deadline = Date.now() + 120_000;
  while (!existsSync(rc)) {
    if (Date.now() > deadline) return { output: readFileSync(out, "utf8"), rc: "timeout" };
    await new Promise((r) => setTimeout(r, 20));
  }
  return { output: readFileSync(out, "utf8"), rc: Number(readFileSync(rc, "utf8")) };
}

let failures = 0, checked = 0, n = 0, skipped = 0;
try {
  for (const block of parse()) {
    if (block.skip) { skipped++; continue; }
    for (const step of block.steps) {
      const { output, rc } = await run(step, n++);
      const wrong = rc === "timeout" ? "no end within 120 s (the rest is not run)" : verdict(step, output, rc);
      checked++;
      if (wrong) {
        failures++;
        console.log(`${doc}:${step.line}: ${step.command.split("\n")[0]}\n  ${wrong}; it printed:\n  ${output.trim().replace(/\n/g, "\n  ")}`);
      }
      if (rc === "timeout") throw new Error("walkthrough: stopped");
    }
  }
} catch (e) {
  console.log(e.message);
} finally {
  // Every server the document started (they share the session's process
  // group): SIGTERM, as a reader would stop them, then whatever is left.
  for (const signal of ["SIGTERM", "SIGKILL"]) {
    try { process.kill(-bash.pid, signal); } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  rmSync(dir, { recursive: true, force: true });
}
console.log(`walkthrough: ${doc}: ${checked} commands, ${failures} wrong, ${skipped} blocks skipped`);
process.exit(failures ? 1 : 0);
