#!/usr/bin/env node
// Run a Python script on MicroPython 1.27 (the WebAssembly port from npm) with the
// MicroPython-safe part of ocpp_core on its sys.path.
//
//   node tests/micropython/run.mjs [options] SCRIPT.py [ARGS...]
//
// Options:
//   --dir DIR        copy DIR (relative to the repo root) into the MicroPython
//                    filesystem; repeatable; default: ocpp_core
//   --timeout SEC    kill MicroPython when the script has run SEC seconds (default 60;
//                    loading MicroPython has its own limit of 120 s); exit code 124
//   --heap BYTES     MicroPython heap size (default 16M; suffix k/M accepted)
//   --list-files     print the files that would be copied, then exit 0
//
// Exit status: the script's own (0, or n from sys.exit(n)), 1 on an uncaught
// exception (traceback on stderr), 124 on timeout, 2 on a usage error, 3 when the
// MicroPython package is missing (install it with `make micropython`).
//
// MicroPython runs in a worker thread: a busy loop inside it never yields to node's
// event loop, so only terminating the worker from the main thread can enforce a
// timeout. Dependencies: node >= 18 and the npm package, nothing else.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const MPY_MJS = path.join(
    REPO,
    ".micropython/node_modules/@micropython/micropython-webassembly-pyscript/micropython.mjs",
);
const INSTALL_HINT =
    "MicroPython 1.27 for node is not installed. Run `make micropython` in the repo root " +
    "(it runs: npm install --prefix .micropython @micropython/micropython-webassembly-pyscript@1.27.0).";

// Files that are CPython-only because they import msgspec / wsproto / h11, or modules
// built on those: generic/ (the version-independent model, msgspec), generic_session.py
// (a connection's use of it), offline.py (the queue of generic transaction events),
// handlers.py (routing for the I/O bindings), registry.py (a CSMS's stations by
// identity), testing.py. Everything else under the copied directories must import on
// MicroPython; the import test (tests/micropython/import_all.py) proves it, so this list
// cannot hide a module.
// A trailing "/" skips a whole directory; "*" matches one path segment.
export const SKIP = [
    "ocpp_core/_msgbase.py",
    "ocpp_core/codec.py",
    "ocpp_core/connection.py",
    "ocpp_core/generic/",
    "ocpp_core/generic_session.py",
    "ocpp_core/offline.py",
    "ocpp_core/registry.py",
    "ocpp_core/handlers.py",
    "ocpp_core/testing.py",
    "ocpp_core/ws/",
    "ocpp_core/*/messages.py",
];

// Seconds allowed for loading MicroPython and copying the files, before the script.
const LOAD_TIMEOUT = 120;

// Where the repo lands inside MicroPython's in-memory filesystem.
const MP_ROOT = "/repo";
const MP_SCRIPTS = "/scripts";

function globToRegExp(pattern) {
    const dirOnly = pattern.endsWith("/");
    const body = pattern
        .replace(/\/$/, "")
        .split("/")
        .map((seg) => seg.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*"))
        .join("/");
    return new RegExp("^" + body + (dirOnly ? "(/.*)?$" : "$"));
}

const SKIP_RES = SKIP.map(globToRegExp);

export function isSkipped(relPath) {
    return SKIP_RES.some((re) => re.test(relPath));
}

// Every .py file under the given repo-relative directories, minus the skip list.
export function filesToCopy(dirs) {
    const out = [];
    const walk = (rel) => {
        const abs = path.join(REPO, rel);
        for (const name of readdirSync(abs).sort()) {
            if (name === "__pycache__" || name.startsWith(".")) continue;
            const childRel = rel + "/" + name;
            const st = statSync(path.join(abs, name));
            if (st.isDirectory()) {
                if (!isSkipped(childRel + "/") && !isSkipped(childRel)) walk(childRel);
            } else if (name.endsWith(".py") && !isSkipped(childRel)) {
                out.push(childRel);
            }
        }
    };
    for (const dir of dirs) walk(dir.replace(/\/+$/, ""));
    return out;
}

function parseSize(text) {
    const m = /^(\d+)([kKmM]?)$/.exec(text);
    if (!m) return NaN;
    const mult = { "": 1, k: 1024, K: 1024, m: 1 << 20, M: 1 << 20 }[m[2]];
    return Number(m[1]) * mult;
}

function usage(message) {
    process.stderr.write(`run.mjs: ${message}\n`);
    process.stderr.write(
        "usage: node tests/micropython/run.mjs [--dir DIR]... [--timeout SEC] [--heap BYTES] " +
            "[--list-files] SCRIPT.py [ARGS...]\n",
    );
    process.exit(2);
}

function parseArgs(argv) {
    const opts = { dirs: [], timeout: 60, heap: 16 << 20, listFiles: false, script: null, args: [] };
    let i = 0;
    for (; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--dir") opts.dirs.push(argv[++i]);
        else if (a === "--timeout") opts.timeout = Number(argv[++i]);
        else if (a === "--heap") opts.heap = parseSize(argv[++i] ?? "");
        else if (a === "--list-files") opts.listFiles = true;
        else if (a.startsWith("--")) usage(`unknown option ${a}`);
        else break;
    }
    if (opts.dirs.length === 0) opts.dirs.push("ocpp_core");
    if (opts.dirs.some((d) => d === undefined)) usage("--dir needs a value");
    if (!(opts.timeout > 0)) usage("--timeout needs a positive number of seconds");
    if (!(opts.heap > 0)) usage("--heap needs a size such as 16M");
    if (!opts.listFiles) {
        if (i >= argv.length) usage("no script given");
        opts.script = path.resolve(argv[i]);
        opts.args = argv.slice(i + 1);
        if (!existsSync(opts.script)) usage(`no such script: ${argv[i]}`);
    }
    return opts;
}

// The Python side of the runner: run the script as __main__ and turn its ending into
// an exit status (SystemExit semantics as in CPython).
function driverCode(scriptPath, argv) {
    const lit = (s) => JSON.stringify(s); // a JSON string is a valid Python str literal
    return `
import sys
sys.path.insert(0, ${lit(MP_SCRIPTS)})
sys.path.insert(0, ${lit(MP_ROOT)})
sys.argv.clear()
sys.argv.extend([${argv.map(lit).join(", ")}])
_runner_rc = 0
try:
    with open(${lit(scriptPath)}) as _runner_f:
        _runner_src = _runner_f.read()
    exec(compile(_runner_src, ${lit(scriptPath)}, "exec"), {"__name__": "__main__", "__file__": ${lit(scriptPath)}})
except SystemExit as _runner_e:
    _runner_code = _runner_e.args[0] if _runner_e.args else None
    if _runner_code is None:
        _runner_rc = 0
    elif isinstance(_runner_code, int) and not isinstance(_runner_code, bool):
        _runner_rc = _runner_code & 0xFF
    else:
        print(_runner_code, file=sys.stderr)
        _runner_rc = 1
except BaseException as _runner_e:
    sys.print_exception(_runner_e, sys.stderr)
    _runner_rc = 1
`;
}

async function workerMain() {
    const { files, script, scriptDirFiles, args, heap } = workerData;
    const send = (stream, text) => parentPort.postMessage({ stream, text });
    const { loadMicroPython } = await import(pathToFileURL(MPY_MJS).href);
    const mp = await loadMicroPython({
        heapsize: heap,
        stdout: (line) => send("stdout", line + "\n"),
        stderr: (line) => send("stderr", line + "\n"),
    });
    for (const [rel, data] of files) {
        const target = MP_ROOT + "/" + rel;
        mp.FS.mkdirTree(path.posix.dirname(target));
        mp.FS.writeFile(target, data);
    }
    mp.FS.mkdirTree(MP_SCRIPTS);
    for (const [name, data] of scriptDirFiles) mp.FS.writeFile(MP_SCRIPTS + "/" + name, data);
    const scriptPath = MP_SCRIPTS + "/" + script;
    parentPort.postMessage({ started: true });
    let rc;
    try {
        mp.runPython(driverCode(scriptPath, [scriptPath, ...args]));
        rc = mp.globals.get("_runner_rc");
    } catch (err) {
        // Only reachable if the driver itself fails (it catches BaseException).
        send("stderr", `run.mjs: MicroPython driver failed: ${err && err.message}\n`);
        rc = 1;
    }
    // The line buffers hold any output not ended by a newline.
    const m = mp._module;
    const decoder = new TextDecoder();
    if (m._stdoutBuffer && m._stdoutBuffer.length)
        send("stdout", decoder.decode(new Uint8Array(m._stdoutBuffer)));
    if (m._stderrBuffer && m._stderrBuffer.length)
        send("stderr", decoder.decode(new Uint8Array(m._stderrBuffer)));
    parentPort.postMessage({ exit: typeof rc === "number" ? rc : 1 });
}

function mainThread() {
    // A reader that stops early (`| head`) is not an error of the script.
    for (const stream of [process.stdout, process.stderr]) {
        stream.on("error", (err) => {
            if (err.code !== "EPIPE") throw err;
        });
    }
    const opts = parseArgs(process.argv.slice(2));
    const rels = filesToCopy(opts.dirs);
    if (opts.listFiles) {
        for (const rel of rels) process.stdout.write(rel + "\n");
        return;
    }
    if (!existsSync(MPY_MJS)) {
        process.stderr.write(`run.mjs: ${INSTALL_HINT}\n`);
        process.exit(3);
    }
    const files = rels.map((rel) => [rel, readFileSync(path.join(REPO, rel))]);
    // The script's own directory goes along too, so scripts can share helper modules.
    const scriptDir = path.dirname(opts.script);
    const scriptDirFiles = readdirSync(scriptDir)
        .filter((n) => n.endsWith(".py"))
        .map((n) => [n, readFileSync(path.join(scriptDir, n))]);
    const worker = new Worker(fileURLToPath(import.meta.url), {
        workerData: {
            files,
            script: path.basename(opts.script),
            scriptDirFiles,
            args: opts.args,
            heap: opts.heap,
        },
    });
    let finished = false;
    let timer = null;
    const finish = (code) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        process.exitCode = code;
        worker.terminate();
    };
    const arm = (seconds, what) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
            process.stderr.write(`run.mjs: TIMEOUT: ${what} took longer than ${seconds}s\n`);
            finish(124);
        }, seconds * 1000);
    };
    // Loading the wasm is slow on a loaded machine: it has its own, generous limit,
    // and --timeout counts from the moment the script starts.
    arm(Math.max(LOAD_TIMEOUT, opts.timeout), "loading MicroPython");
    worker.on("message", (msg) => {
        if (msg.stream === "stdout") process.stdout.write(msg.text);
        else if (msg.stream === "stderr") process.stderr.write(msg.text);
        else if (msg.started) arm(opts.timeout, "the script");
        else if ("exit" in msg) finish(msg.exit);
    });
    worker.on("error", (err) => {
        process.stderr.write(`run.mjs: worker error: ${(err && err.stack) || err}\n`);
        finish(1);
    });
    worker.on("exit", (code) => {
        if (!finished) {
            process.stderr.write(`run.mjs: worker exited early (code ${code})\n`);
            finish(1);
        }
    });
}

if (isMainThread) {
    // Only when run as a program, not when imported for its helpers.
    if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
        mainThread();
    }
} else {
    workerMain().catch((err) => {
        parentPort.postMessage({ stream: "stderr", text: `run.mjs: ${(err && err.stack) || err}\n` });
        parentPort.postMessage({ exit: 1 });
    });
}
