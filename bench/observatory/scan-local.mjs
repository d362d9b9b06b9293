#!/usr/bin/env node
// Runs the real MDN HTTP Observatory (@mdn/mdn-http-observatory, pinned in package.json) against a local
// test site and prints its scan result as JSON. Used by edupulse/monitoring/tests/test_probe_observatory.py
// to cross-check EduPulse's port of the scoring (edupulse/monitoring/probes/observatory.py).
//
//   OBS_HOSTS='{"good.edu.test":"127.0.0.1"}' NODE_EXTRA_CA_CERTS=ca.pem \
//     node scan-local.mjs good.edu.test --http-port 8080 --https-port 8443
//
// Differences from the package's own CLI (src/scan.js → scanner/index.js scan()):
// * test host names resolve from OBS_HOSTS (the sites live behind the tests' own DNS server);
// * the ports are passed to the package's retriever (its scan() always uses 80/443); the retriever, the ten
//   analyzer tests and the grader are the package's own code, the scoring loop below is scan()'s, verbatim
//   in logic.
import dns from "node:dns";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const hosts = JSON.parse(process.env.OBS_HOSTS || "{}");
const originalLookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (typeof options === "function") {
    callback = options;
    options = {};
  }
  if (typeof options === "number") options = { family: options };
  const address = hosts[hostname];
  if (!address) return originalLookup.call(dns, hostname, options, callback);
  const family = address.includes(":") ? 6 : 4;
  if (options && options.all) {
    process.nextTick(callback, null, [{ address, family }]);
  } else {
    process.nextTick(callback, null, address, family);
  }
};

// The package downloads the HSTS preload list at install time (postinstall); offline installs run with
// --ignore-scripts, so provide the empty list EduPulse's port also assumes.
const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve("@mdn/mdn-http-observatory/package.json"));
const preload = path.join(pkgDir, "conf", "hsts-preload.json");
if (!fs.existsSync(preload)) fs.writeFileSync(preload, "{}");

// Targets: one host on the command line (`HOST --http-port N --https-port M`), or with `--stdin` a JSON
// array [{"host", "httpPort", "httpsPort"}] scanned concurrently in this one process (one line of JSON out).
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
let targets;
if (args.includes("--stdin")) {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  targets = JSON.parse(input);
} else {
  targets = [{ host: args[0], httpPort: opt("--http-port"), httpsPort: opt("--https-port") }];
}

const base = `file://${pkgDir}/src`;
const { retrieve } = await import(`${base}/retriever/retriever.js`);
const { ALL_TESTS, NUM_TESTS } = await import(`${base}/constants.js`);
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await import(`${base}/grader/charts.js`);
const { getGradeForScore, getScoreModifier } = await import(`${base}/grader/grader.js`);

async function scanOne({ host, httpPort, httpsPort }) {
  const r = await retrieve(host, { httpPort: httpPort && String(httpPort), httpsPort: httpsPort && String(httpsPort) });
  if (!r.responses.auto) throw new Error("The site seems to be down.");
  const { status } = r.responses.auto;
  if (status < 200 || (status >= 400 && ![401, 403].includes(status))) {
    throw new Error(`Site did respond with an unexpected HTTP status code ${status}.`);
  }
  const results = ALL_TESTS.map((test) => test(r));
  let passed = 0;
  let withExtra = 100;
  let uncurved = 100;
  const tests = {};
  for (const result of results) {
    if (result.result) {
      result.scoreModifier = getScoreModifier(result.result);
      passed += result.pass ? 1 : 0;
      withExtra += result.scoreModifier;
      if (result.scoreModifier < 0) uncurved += result.scoreModifier;
    }
    tests[result.constructor.name] = { result: result.result, pass: result.pass, scoreModifier: result.scoreModifier };
  }
  const score = uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtra : uncurved;
  const final = getGradeForScore(score);
  return { host, grade: final.grade, score: final.score, testsPassed: passed, testsQuantity: NUM_TESTS, tests };
}

const out = await Promise.all(
  targets.map((target) =>
    scanOne(target).catch((e) => ({ host: target.host, error: e instanceof Error ? e.message : String(e) })),
  ),
);
console.log(JSON.stringify(args.includes("--stdin") ? out : out[0]));
if (!args.includes("--stdin") && out[0].error) process.exit(1);
