#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Mutation testing of the XDP program's sources: how many planted bugs the
fast BPF_PROG_TEST_RUN suites catch.

Mutants come from clang's own parse of prog/xdpcount.bpf.c (libclang, the
compiler that builds the program), by universalmutator's rules for C:
constants, relational, arithmetic, bitwise, shift and logical operators,
negations, increments, deleted statements, break/continue, swapped call
arguments. A mutant that does not build, or whose program the verifier
refuses, is invalid; one whose objects hold the same machine code as the
original's is equivalent (trivial compiler equivalence) and is not run. Each valid one runs the fixture, case, truncation and
differential suites (Criterion, --fail-fast) in a worker directory of its
own; it is killed when a test fails. Survivors not listed in the reviewed
equivalent list (ci/mutants-equivalent.txt) are missing tests.

  ci/mutate.py [--file F]... [--jobs N] [--sample N --seed S] [--json OUT]
               [--only ID,...] [--list]

Exit status: 0 when every valid mutant was killed or is listed equivalent,
1 when an unlisted mutant survived, 2 on a usage or set-up error.
"""

import argparse
import difflib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import clang.cindex as ci

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = ["prog/parse.h", "prog/xdpcount.bpf.c"]
TU = "prog/xdpcount.bpf.c"  # both files are parsed through the program
EQUIVALENT = "ci/mutants-equivalent.txt"
# The fast suites, cheapest and likeliest to kill first; each stage runs only
# if the one before passed. truncation::mix is left out: 40 s of prefixes of
# 2000 ordinary frames, which the edge fixtures' prefixes already cover.
STAGES = ["cases/*", "fixtures/*", "differential/*", "truncation/!(mix)"]
# What a worker copies: the sources make needs to rebuild the tests.
TREE = ["Makefile", "prog", "src", "harness", "pcaps"]
TEST_TIMEOUT = 600  # a mutant that loops forever in user space is killed by this
LIBCLANG = "/usr/lib/llvm-14/lib/libclang-14.so.1"

# ---- the rules (universalmutator's classes for C) ----

RELATIONAL = {
    "<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="], ">=": [">", "<"],
    "==": ["!="], "!=": ["=="],
}
ARITHMETIC = {"+": ["-"], "-": ["+"], "*": ["/"], "/": ["*"], "%": ["*"]}
BITWISE = {"&": ["|"], "|": ["&"], "^": ["&"]}
SHIFT = {"<<": [">>"], ">>": ["<<"]}
LOGICAL = {"&&": ["||"], "||": ["&&"]}
ASSIGN = {"+=": ["-="], "-=": ["+="], "&=": ["|="], "|=": ["&="], "/=": ["*="],
          "*=": ["/="], "<<=": [">>="], ">>=": ["<<="]}
BINARY = {**RELATIONAL, **ARITHMETIC, **BITWISE, **SHIFT, **LOGICAL}
STATEMENTS = {ci.CursorKind.CALL_EXPR, ci.CursorKind.BINARY_OPERATOR,
              ci.CursorKind.COMPOUND_ASSIGNMENT_OPERATOR, ci.CursorKind.UNARY_OPERATOR,
              ci.CursorKind.RETURN_STMT, ci.CursorKind.BREAK_STMT,
              ci.CursorKind.CONTINUE_STMT}


def int_value(text):
    m = re.fullmatch(r"(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)", text)
    if not m:
        return None, ""
    return int(m.group(1), 0), m.group(2)


def constant_mutants(text):
    """0 -> 1; 1 -> 0, 2; n -> 0, n + 1, n - 1 (in the literal's own base)."""
    v, suffix = int_value(text)
    if v is None:
        return []
    hexa = text[:2] in ("0x", "0X")
    out = []
    for n in (0, 1 if v == 0 else v + 1, v - 1):
        if n < 0 or n == v:
            continue
        s = (hex(n) if hexa else str(n)) + suffix
        if s not in out:
            out.append(s)
    return out


class Mutant:
    def __init__(self, path, text, start, end, repl, rule, ids):
        self.path, self.start, self.end, self.repl, self.rule = path, start, end, repl, rule
        self.orig = text[start:end]
        self.line = text.count("\n", 0, start) + 1
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        self.line_text = text[line_start:line_end if line_end >= 0 else None]
        # Stable across edits elsewhere: the file, the line's text, the column
        # within it and the change; not the line number.
        key = "%s|%s|%d|%s|%s" % (path, self.line_text.strip(), start - line_start,
                                  self.orig, repl)
        ids[key] = ids.get(key, -1) + 1  # the same line again: its occurrence
        key += "|%d" % ids[key]
        self.id = "%s:%s" % (os.path.basename(path), hashlib.sha1(key.encode()).hexdigest()[:10])
        self.status = None
        self.detail = ""
        self.seconds = 0.0

    def apply(self, text):
        return text[:self.start] + self.repl + text[self.end:]

    def diff(self, text):
        new = self.apply(text)
        return "".join(difflib.unified_diff(
            text.splitlines(True), new.splitlines(True),
            "a/" + self.path, "b/" + self.path, n=1))

    def summary(self):
        return "%s:%d %s: %s -> %s" % (self.path, self.line, self.rule,
                                       self.orig.strip() or "''", self.repl or "(deleted)")


def tokens_of(tu, path, text):
    """Every token of the file with its byte offsets, from clang's lexer."""
    f = tu.get_file(os.path.join(ROOT, path))
    ext = ci.SourceRange.from_locations(
        ci.SourceLocation.from_offset(tu, f, 0),
        ci.SourceLocation.from_offset(tu, f, len(text.encode())))
    return [(t.spelling, t.kind, t.extent.start.offset, t.extent.end.offset)
            for t in tu.get_tokens(extent=ext)]


def in_file(node, path):
    s, e = node.extent.start, node.extent.end
    full = os.path.join(ROOT, path)
    return (s.file is not None and e.file is not None and
            os.path.realpath(s.file.name) == full and
            os.path.realpath(e.file.name) == full)


def generate(tu, path, text):
    """The mutants of one file: a list of Mutant, deduplicated."""
    data = text.encode()
    if len(data) != len(text):
        sys.exit("mutate: %s is not ASCII" % path)
    toks = tokens_of(tu, path, text)
    by_start = {t[2]: t for t in toks}
    seen, out, ids = set(), [], {}

    def add(start, end, repl, rule):
        if (start, end, repl) in seen or text[start:end] == repl:
            return
        seen.add((start, end, repl))
        out.append((start, end, repl, rule))

    def token_after(offset, spelling_set):
        for t in toks:
            if t[2] >= offset:
                return t if t[0] in spelling_set else None
        return None

    def walk(node, in_body):
        for c in node.get_children():
            visit(c, in_body or node.kind == ci.CursorKind.COMPOUND_STMT)

    def visit(node, in_body):
        k = node.kind
        if not in_file(node, path):
            walk(node, in_body)
            return
        s, e = node.extent.start.offset, node.extent.end.offset
        if k == ci.CursorKind.INTEGER_LITERAL and s in by_start and in_body:
            for r in constant_mutants(by_start[s][0]):
                add(s, by_start[s][3], r, "constant")
        elif k in (ci.CursorKind.BINARY_OPERATOR, ci.CursorKind.COMPOUND_ASSIGNMENT_OPERATOR):
            kids = list(node.get_children())
            if len(kids) == 2 and in_file(kids[0], path):
                table = BINARY if k == ci.CursorKind.BINARY_OPERATOR else ASSIGN
                t = token_after(kids[0].extent.end.offset, table)
                if t and t[3] <= kids[1].extent.start.offset:
                    for r in table[t[0]]:
                        add(t[2], t[3], r, "operator")
        elif k == ci.CursorKind.UNARY_OPERATOR:
            t = by_start.get(s)
            if t and t[0] in ("!", "~", "-") and e > t[3]:
                add(t[2], t[3], "", "negation")
            elif t and t[0] in ("++", "--"):
                add(t[2], t[3], "--" if t[0] == "++" else "++", "increment")
            else:
                t = by_start.get(e - 2) if e >= 2 else None
                if t and t[0] in ("++", "--") and t[3] == e:
                    add(t[2], t[3], "--" if t[0] == "++" else "++", "increment")
        elif k == ci.CursorKind.BREAK_STMT:
            add(s, e, "continue", "control")
        elif k == ci.CursorKind.CONTINUE_STMT:
            add(s, e, "break", "control")
        elif k == ci.CursorKind.CALL_EXPR:
            args = list(node.get_arguments())
            # Only arguments of one type: other swaps do not build.
            if (len(args) >= 2 and all(in_file(a, path) for a in args[:2]) and
                    args[0].type.spelling == args[1].type.spelling):
                a, b = args[0].extent, args[1].extent
                ta = text[a.start.offset:a.end.offset]
                tb = text[b.start.offset:b.end.offset]
                if ta != tb:
                    add(a.start.offset, b.end.offset,
                        tb + text[a.end.offset:b.start.offset] + ta, "swap-args")
        if node.kind == ci.CursorKind.COMPOUND_STMT:
            for st in node.get_children():
                if st.kind in STATEMENTS and in_file(st, path):
                    a, b = st.extent.start.offset, st.extent.end.offset
                    body = text[a:b]
                    # A deleted 'return value;' does not build (-Wreturn-type).
                    if body.strip() and ";" not in body and not re.match(r"return\s*\S", body):
                        add(a, b, "", "delete")
        walk(node, in_body)

    walk(tu.cursor, False)
    # Constants of object-like macros (#define NAME 8): the preprocessor's.
    for m in tu.cursor.get_children():
        if m.kind == ci.CursorKind.MACRO_DEFINITION and in_file(m, path):
            ts = [t for t in toks if m.extent.start.offset <= t[2] < m.extent.end.offset]
            if len(ts) >= 2 and text[ts[0][3]:ts[0][3] + 1] != "(":
                for t in ts[1:]:
                    if t[1] == ci.TokenKind.LITERAL:
                        for r in constant_mutants(t[0]):
                            add(t[2], t[3], r, "constant")
                    elif t[0] in BINARY and t[0] not in RELATIONAL:
                        for r in BINARY[t[0]]:
                            add(t[2], t[3], r, "operator")
    out.sort()
    return [Mutant(path, text, s, e, r, rule, ids) for s, e, r, rule in out]


def parse_tu():
    if os.path.exists(LIBCLANG) and not ci.Config.loaded:
        ci.Config.set_library_file(LIBCLANG)
    arch = subprocess.run(["cc", "-dumpmachine"], capture_output=True, text=True).stdout.strip()
    args = ["-target", "bpf", "-mcpu=v3", "-O2", "-I/usr/include/" + arch,
            "-I" + os.path.join(ROOT, "prog")]
    tu = ci.Index.create().parse(os.path.join(ROOT, TU), args,
                                 options=ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD)
    errors = [d for d in tu.diagnostics if d.severity >= ci.Diagnostic.Error]
    if errors:
        sys.exit("mutate: libclang cannot parse %s: %s" % (TU, errors[0]))
    return tu


def load_equivalent(path):
    """ID -> reason from the reviewed list: 'ID  reason', '#' comments."""
    out = {}
    if not os.path.exists(path):
        return out
    for n, line in enumerate(open(path), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            sys.exit("mutate: %s:%d: an equivalent mutant needs a reason" % (path, n))
        out[parts[0]] = parts[1]
    return out

# ---- running ----


class Worker:
    """A copy of the tree and of the build where one mutant at a time is built."""

    def __init__(self, base, n):
        self.dir = os.path.join(base, "w%d" % n)
        os.makedirs(self.dir)
        for p in TREE:
            src = os.path.join(ROOT, p)
            dst = os.path.join(self.dir, p)
            if os.path.isdir(src):
                shutil.copytree(src, dst, symlinks=True)
            else:
                shutil.copy2(src, dst)
        # The build as it is, so a mutant rebuilds only what includes its file.
        shutil.copytree(os.path.join(ROOT, "build"), os.path.join(self.dir, "build"),
                        symlinks=True, ignore=shutil.ignore_patterns("fuzz", "bench-*"))
        self.pin = os.path.join(base, "bpffs", "w%d" % n)
        self.cache = {}
        self.original = self.code()

    def run(self, cmd, timeout=None, env=None):
        return subprocess.run(cmd, cwd=self.dir, capture_output=True, text=True,
                              timeout=timeout, env=env)

    def build(self):
        return self.run(["make", "-s", "build/xdpcount-tests"])

    def code(self):
        """The machine code of every object: what runs. Not the relocations, and
        not the size of an embedded BPF object (a skeleton's), whose debug info
        changes with any edit: the BPF objects' own code is compared instead."""
        texts, sizes = {}, {}
        for d, _, names in os.walk(os.path.join(self.dir, "build")):
            for n in names:
                if n.endswith(".o"):
                    p = os.path.join(d, n)
                    st = os.stat(p)
                    key = (st.st_mtime_ns, st.st_size)
                    if self.cache.get(p, (None,))[0] != key:
                        r = self.run(["llvm-objdump", "-d", "--no-show-raw-insn", p])
                        self.cache[p] = (key, r.stdout.split("\n", 2)[-1])  # the name goes
                    texts[os.path.relpath(p, self.dir)] = self.cache[p][1]
                    if n.endswith(".bpf.o"):
                        sizes[n] = st.st_size
        out = {}
        for rel, text in texts.items():
            if not rel.endswith(".bpf.o"):
                for n, size in sizes.items():
                    text = re.sub(r"\b%d\b|0x%x\b" % (size, size), "<%s size>" % n, text,
                                  flags=re.I)
            out[rel] = hashlib.sha1(text.encode()).hexdigest()
        return out

    def verifies(self):
        """Whether the kernel's verifier accepts the built program (all features on)."""
        r = self.run(["bpftool", "-d", "prog", "load", "build/xdpcount.bpf.o", self.pin,
                      "type", "xdp"])
        if os.path.exists(self.pin):
            os.unlink(self.pin)
        log = r.stderr.split("-- BEGIN PROG LOAD LOG --")[-1].split("-- END PROG LOAD LOG --")[0]
        lines = [ln for ln in log.splitlines() if ln.strip() and not
                 ln.startswith(("processed ", "verification time", "stack depth"))]
        return r.returncode == 0, lines[-1] if lines else "refused"

    def test(self):
        env = dict(os.environ, XC_ROOT=self.dir, XC_PYTHON="/usr/bin/python3",
                   XC_BIN=os.path.join(self.dir, "build", "xdpcount"))
        for stage in STAGES:
            # A session of its own: a timeout ends the runner and its workers.
            p = subprocess.Popen(["build/xdpcount-tests", "--filter", stage, "--fail-fast",
                                  "-j1", "--ascii"], cwd=self.dir, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 start_new_session=True)
            try:
                out = p.communicate(timeout=TEST_TIMEOUT)[0]
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, 9)
                p.wait()
                return False, "%s: timeout after %d s" % (stage, TEST_TIMEOUT)
            if p.returncode == 0:
                continue
            failed = re.findall(r"\[FAIL\] (\S+?):? ", out)
            crashed = re.search(r"Warning! The test `(\S+)` crashed", out)
            return False, failed[0] if failed else (crashed.group(1) + " crashed" if crashed
                                                    else "exit %d" % p.returncode)
        return True, ""


def run_mutant(w, m, originals):
    t0 = time.monotonic()
    path = os.path.join(w.dir, m.path)
    try:
        with open(path, "w") as f:
            f.write(m.apply(originals[m.path]))
        b = w.build()
        if b.returncode != 0:
            err = [ln for ln in b.stderr.splitlines() if "error" in ln]
            m.status, m.detail = "invalid", "build: " + (err[0] if err else "failed")[:200]
            return
        if w.code() == w.original:
            # Trivial compiler equivalence: the same machine code as the original.
            m.status, m.detail = "identical", "compiles to the original's code"
            return
        ok, why = w.verifies()
        if not ok:
            m.status, m.detail = "invalid", "verifier: " + why[:200]
            return
        passed, why = w.test()
        m.status = "survived" if passed else "killed"
        m.detail = why
    finally:
        with open(path, "w") as f:
            f.write(originals[m.path])
        m.seconds = time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", action="append", help="a file of FILES (default: all)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--sample", type=int, default=0, help="run N mutants drawn by --seed")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shuffle", action="store_true", help="run the mutants in --seed's order")
    ap.add_argument("--only", help="comma-separated mutant ids")
    ap.add_argument("--json", default=os.path.join(ROOT, "build", "mutate.json"))
    ap.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    a = ap.parse_args()

    files = a.file or FILES
    for f in files:
        if f not in FILES:
            print("mutate: %s: not one of %s" % (f, ", ".join(FILES)), file=sys.stderr)
            return 2
    tu = parse_tu()
    originals = {f: open(os.path.join(ROOT, f)).read() for f in FILES}
    mutants = [m for f in files for m in generate(tu, f, originals[f])]
    generated = len(mutants)
    equivalent = load_equivalent(os.path.join(ROOT, EQUIVALENT))
    if a.only:
        want = set(a.only.split(","))
        mutants = [m for m in mutants if m.id in want]
    if a.sample and a.sample < len(mutants):
        mutants = random.Random(a.seed).sample(mutants, a.sample)
    elif a.shuffle:
        random.Random(a.seed).shuffle(mutants)  # a run cut short is still a fair sample
    if a.list:
        for m in mutants:
            print("%s  %s%s" % (m.id, m.summary(),
                                "  [equivalent: %s]" % equivalent[m.id] if m.id in equivalent else ""))
        print("%d mutants of %s" % (generated, ", ".join(files)))
        return 0

    print("mutate: %d mutants of %s; running %d with %d jobs" %
          (generated, ", ".join(files), len(mutants), a.jobs), flush=True)
    t0 = time.monotonic()
    base = tempfile.mkdtemp(prefix="xdpcount-mutate-")
    lock = threading.Lock()
    done = [0]
    bpffs = os.path.join(base, "bpffs")
    try:
        # A bpffs of our own: bpftool pins each program it loads to check it.
        os.makedirs(bpffs)
        subprocess.run(["mount", "-t", "bpf", "bpf", bpffs], check=True)
        workers = [Worker(base, i) for i in range(a.jobs)]
        baseline = workers[0].test()
        if not baseline[0]:
            print("mutate: the unmutated tree fails its suites: %s" % baseline[1], file=sys.stderr)
            return 2
        free = list(workers)

        def job(m):
            with lock:
                w = free.pop()
            try:
                run_mutant(w, m, originals)
            finally:
                with lock:
                    free.append(w)
                    done[0] += 1
                    print("[%d/%d] %-8s %s  %s %s" % (done[0], len(mutants), m.status, m.id,
                                                     m.summary(), m.detail), flush=True)
        ex = ThreadPoolExecutor(a.jobs)
        try:
            list(ex.map(job, mutants))
        except (KeyboardInterrupt, SystemExit):
            print("mutate: interrupted: the report covers the mutants that ran", flush=True)
        finally:
            ex.shutdown(wait=True, cancel_futures=True)  # the running ones end first
    finally:
        subprocess.run(["umount", bpffs], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
    seconds = time.monotonic() - t0
    ran = [m for m in mutants if m.status]
    return report(ran, generated, files, equivalent, originals, seconds, a)


def report(mutants, generated, files, equivalent, originals, seconds, a):
    by = {s: [m for m in mutants if m.status == s]
          for s in ("invalid", "identical", "killed", "survived")}
    equiv = [m for m in by["survived"] if m.id in equivalent]
    missing = [m for m in by["survived"] if m.id not in equivalent]
    killed_equiv = [m for m in by["killed"] if m.id in equivalent]
    valid = len(by["killed"]) + len(missing)
    score = 100.0 * len(by["killed"]) / valid if valid else 100.0
    print()
    for m in missing:
        print("SURVIVED %s  %s\n%s" % (m.id, m.summary(), m.diff(originals[m.path])))
    for m in equiv:
        print("equivalent %s  %s: %s" % (m.id, m.summary(), equivalent[m.id]))
    for m in killed_equiv:
        print("mutate: %s is listed equivalent but was killed by %s: take it off the list"
              % (m.id, m.detail))
    print("mutate: %s: %d generated, %d run: %d invalid, %d equivalent by identical code, "
          "%d killed, %d survived (%d of them listed equivalent); score %.1f%% "
          "(killed / killed + unlisted survivors); %.0f s" %
          (", ".join(files), generated, len(mutants), len(by["invalid"]),
           len(by["identical"]), len(by["killed"]), len(by["survived"]), len(equiv),
           score, seconds))
    result = {
        "files": files, "generated": generated, "run": len(mutants),
        "sample": a.sample, "seed": a.seed,
        "invalid": len(by["invalid"]), "identical": len(by["identical"]),
        "killed": len(by["killed"]),
        "survived": len(by["survived"]), "equivalent": len(equiv),
        "score": round(score, 2), "seconds": round(seconds, 1),
        "equivalent_listed": len(equivalent),
        "mutants": [{"id": m.id, "file": m.path, "line": m.line, "rule": m.rule,
                     "from": m.orig, "to": m.repl, "status": m.status,
                     "equivalent": m.id in equivalent, "detail": m.detail,
                     "seconds": round(m.seconds, 1),
                     "diff": m.diff(originals[m.path]) if m.status == "survived" else None}
                    for m in mutants],
    }
    os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(result, f, indent=1)
    print("mutate: JSON in %s" % a.json)
    return 1 if missing or killed_equiv else 0


if __name__ == "__main__":
    # SIGTERM unwinds like Ctrl-C: the worker directories are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
