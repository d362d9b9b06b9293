#!/usr/bin/env node
// Runs the real MDN HTTP Observatory analyzer tests on header/body vectors read as JSON from stdin:
//   [{"url": "https://www.school.edu.cn/", "headers": {"Content-Security-Policy": "..."}, "body": "<html>..."}]
// and prints, per vector, {test name: expectation} for the header tests. The Requests object is built as
// the package's own test helper (test/helpers.js emptyRequests) builds it. Used by
// edupulse/monitoring/tests/test_probe_observatory.py to compare EduPulse's port test by test.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve("@mdn/mdn-http-observatory/package.json"));
// The HSTS test reads the preload list the package downloads at install time (postinstall); offline
// installs use --ignore-scripts, so provide the empty list EduPulse's port also assumes.
const preload = path.join(pkgDir, "conf", "hsts-preload.json");
if (!fs.existsSync(preload)) fs.writeFileSync(preload, "{}");
const base = `file://${pkgDir}/src`;
const { AxiosHeaders } = require(require.resolve("axios", { paths: [pkgDir] }));
const { Requests } = await import(`${base}/types.js`);
const { parseHttpEquivHeaders } = await import(`${base}/retriever/utils.js`);
const { contentSecurityPolicyTest } = await import(`${base}/analyzer/tests/csp.js`);
const { referrerPolicyTest } = await import(`${base}/analyzer/tests/referrer-policy.js`);
const { xContentTypeOptionsTest } = await import(`${base}/analyzer/tests/x-content-type-options.js`);
const { xFrameOptionsTest } = await import(`${base}/analyzer/tests/x-frame-options.js`);
const { crossOriginResourcePolicyTest } = await import(`${base}/analyzer/tests/cross-origin-resource-policy.js`);
const { strictTransportSecurityTest } = await import(`${base}/analyzer/tests/strict-transport-security.js`);
const { subresourceIntegrityTest } = await import(`${base}/analyzer/tests/subresource-integrity.js`);

const TESTS = [contentSecurityPolicyTest, referrerPolicyTest, xContentTypeOptionsTest, xFrameOptionsTest,
  crossOriginResourcePolicyTest, strictTransportSecurityTest, subresourceIntegrityTest];

let input = "";
for await (const chunk of process.stdin) input += chunk;
const vectors = JSON.parse(input);
const out = [];
for (const vector of vectors) {
  const url = new URL(vector.url);
  const req = new Requests(url.hostname);
  const headers = new AxiosHeaders();
  for (const [name, value] of Object.entries(vector.headers)) headers.set(name, value);
  const response = {
    headers, status: 200, statusText: "OK", verified: true, data: vector.body || "",
    request: { headers: new AxiosHeaders() }, config: { headers: new AxiosHeaders() },
  };
  const body = vector.body || "";
  response.httpEquiv = body ? parseHttpEquivHeaders(body, url.href) : new Map();
  req.responses.auto = response;
  req.responses.https = response;
  req.resources.path = body;
  req.session = { url };
  const results = {};
  for (const test of TESTS) {
    const result = test(req);
    results[result.constructor.name] = result.result;
  }
  out.push(results);
}
console.log(JSON.stringify(out));
