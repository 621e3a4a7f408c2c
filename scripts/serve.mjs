#!/usr/bin/env node
// A tiny static file server for the demo and the browser tests.
//
//   node scripts/serve.mjs [port]        (or PORT=8000; default 8000)
//
// Serves the repository root on 127.0.0.1 with correct MIME types (notably
// `application/wasm`, which WebAssembly.instantiateStreaming requires), never a
// file outside the root, no directory listings. Importable: `startServer({port})`
// returns the running http.Server (port 0 = any free port) for in-process tests.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".csv": "text/csv; charset=utf-8",
  ".tsv": "text/tab-separated-values; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ".xls": "application/vnd.ms-excel",
  ".d.ts": "text/plain; charset=utf-8",
};

function send(res, status, body, headers = {}) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers });
  res.end(body);
}

/** Resolves a URL path inside `root`, or returns null if it would escape it. */
export function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const target = path.resolve(root, "." + path.posix.normalize("/" + decoded));
  const rel = path.relative(root, target);
  if (rel.startsWith("..") || path.isAbsolute(rel)) return null;
  return target;
}

function handler(root) {
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed\n", { Allow: "GET, HEAD" });
    let pathname;
    try {
      pathname = new URL(req.url, "http://localhost").pathname;
    } catch {
      return send(res, 400, "bad request\n");
    }
    let file = resolveInside(root, pathname);
    if (!file) return send(res, 403, "forbidden\n");
    // Never serve the git directory or dependencies' internals by accident.
    const rel = path.relative(root, file).split(path.sep);
    if (rel[0] === ".git") return send(res, 403, "forbidden\n");
    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        file = path.join(file, "index.html");
        return fs.stat(file, (err2, st2) => serveFile(err2, st2));
      }
      serveFile(err, st);
    });
    function serveFile(err, st) {
      if (err || !st.isFile()) return send(res, 404, "not found\n");
      // Refuse symlinks that point outside the root.
      fs.realpath(file, (e, real) => {
        const realRoot = fs.realpathSync(root);
        const r = e ? null : path.relative(realRoot, real);
        if (r === null || r.startsWith("..") || path.isAbsolute(r)) return send(res, 403, "forbidden\n");
        const ext = file.endsWith(".d.ts") ? ".d.ts" : path.extname(file).toLowerCase();
        res.writeHead(200, {
          "Content-Type": MIME[ext] || "application/octet-stream",
          "Content-Length": st.size,
          "Cache-Control": "no-store",
          "X-Content-Type-Options": "nosniff",
        });
        if (req.method === "HEAD") return res.end();
        fs.createReadStream(file).on("error", () => res.destroy()).pipe(res);
      });
    }
  };
}

/** Starts the server; resolves to the listening http.Server. */
export function startServer({ port = 8000, host = "127.0.0.1", root = ROOT } = {}) {
  const server = http.createServer(handler(path.resolve(root)));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] || "").href) {
  const port = Number(process.argv[2] || process.env.PORT || 8000);
  startServer({ port })
    .then((s) => {
      const { port: p } = s.address();
      console.log(`Serving ${ROOT} on http://127.0.0.1:${p}/  (Ctrl-C to stop)`);
    })
    .catch((e) => {
      console.error(`serve.mjs: ${e.message}`);
      process.exit(1);
    });
}
