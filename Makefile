# aws-okta build, test and install.
#
# Every target runs the Deno binary pinned below. When `deno` is not on PATH (or has another
# version), the Makefile installs the pinned one from npm into .tools/ (git-ignored) and uses it.

DENO_VERSION := 2.9.6
PREFIX ?= $(HOME)/.local
TOOLS := $(CURDIR)/.tools
SYSTEM_DENO := $(shell command -v deno 2>/dev/null)
SYSTEM_DENO_VERSION := $(if $(SYSTEM_DENO),$(shell deno --version 2>/dev/null | head -n1 | cut -d' ' -f2))

ifeq ($(SYSTEM_DENO_VERSION),$(DENO_VERSION))
DENO := $(SYSTEM_DENO)
DENO_DEP :=
else
DENO := $(TOOLS)/deno
DENO_DEP := $(TOOLS)/deno
endif

export DENO_NO_UPDATE_CHECK := 1
export AWS_OKTA_DENO := $(DENO)

.PHONY: all deno check fmt lint typecheck test test-unit test-e2e test-windows smoke fuzz bench demo install uninstall compile clean

all: check test

deno: $(DENO_DEP)
	@$(DENO) --version | head -n1

# npm's deno package ships the binary in a platform package (@deno/<os>-<arch>[-glibc]); link
# the real executable so that launchers do not go through node.
$(TOOLS)/deno:
	@command -v npm >/dev/null || { echo "make: npm is needed to bootstrap Deno $(DENO_VERSION) (or put deno $(DENO_VERSION) on PATH)" >&2; exit 1; }
	@mkdir -p $(TOOLS)
	@echo "Bootstrapping Deno $(DENO_VERSION) from npm into .tools/" >&2
	@cd $(TOOLS) && npm install --no-audit --no-fund --loglevel=error --prefix . deno@$(DENO_VERSION) >&2
	@bin=$$(ls -1 $(TOOLS)/node_modules/@deno/*/deno $(TOOLS)/node_modules/@deno/*/deno.exe 2>/dev/null | head -n1); \
	  [ -n "$$bin" ] || bin=$(TOOLS)/node_modules/deno/deno; \
	  ln -sf "$$bin" $(TOOLS)/deno
	@$(TOOLS)/deno --version >/dev/null

check: $(DENO_DEP)
	$(DENO) fmt --check
	$(DENO) lint
	$(DENO) check src/ tests/

fmt: $(DENO_DEP)
	$(DENO) fmt

# Ends with how many tests ran against the product and how many tested the simulators (and the
# test harness), counted from deno's JUnit report.
TEST_REPORT := $(TOOLS)/test-report.xml
test: $(DENO_DEP)
	@mkdir -p $(TOOLS) && rm -f $(TEST_REPORT)
	@status=0; $(DENO) test -P=test --quiet --parallel --junit-path=$(TEST_REPORT) tests/ src/ || status=$$?; \
	  if [ -f $(TEST_REPORT) ]; then $(DENO) run -P=test --quiet tests/test_counts.ts $(TEST_REPORT); fi; \
	  exit $$status

# The tests that mean something on Windows, run by the Windows build of the pinned Deno under Wine
# (Debian's wine64 8.0; tests/windows/prepare.sh says what it takes): the whole unit suite (the wincred
# backend against Wine's Credential Manager among it) and the end-to-end tests listed here. Type
# checking is left to `make check`: it does not depend on the OS. `deno install` first fills the
# Windows Deno's npm cache, so that the CLI runs of the tests find every package there. Everything
# Wine needs is cached in .tools/wine. Then the release gate (tests/release/smoke.ts) runs against the
# sources through tests/windows/aws-okta.cmd, wincred included (no Windows binary can be compiled
# here: deno compile needs denort from dl.deno.land). The GitHub Windows job runs the same test files.
WINE_DIR := $(TOOLS)/wine
WINE_TESTS := src/ tests/e2e/windows_test.ts tests/e2e/classic_flow_test.ts
test-windows: $(WINE_DIR)/bcryptprimitives.dll
	@tests/windows/prepare.sh $(WINE_DIR) $(DENO_VERSION) $(WINE_DIR)/bcryptprimitives.dll
	@tests/windows/run.sh $(WINE_DIR) $(DENO_VERSION) install --quiet --frozen
	tests/windows/run.sh $(WINE_DIR) $(DENO_VERSION) test -P=test --quiet --no-check $(WINE_TESTS)
	SMOKE_RUNS=3 tests/windows/run.sh $(WINE_DIR) $(DENO_VERSION) run -P=test --quiet --no-check \
	  tests/release/smoke.ts tests/windows/aws-okta.cmd

$(WINE_DIR)/bcryptprimitives.dll: tests/windows/bcryptprimitives.c tests/windows/bcryptprimitives.def
	@command -v x86_64-w64-mingw32-gcc >/dev/null || { echo "make: x86_64-w64-mingw32-gcc is needed (Debian: apt-get install gcc-mingw-w64-x86-64-win32)" >&2; exit 1; }
	@mkdir -p $(WINE_DIR)
	x86_64-w64-mingw32-gcc -O2 -Wall -shared -nostdlib -Wl,-e,DllMain -o $@ $^ -lbcrypt -lkernel32

# The fuzz properties (*_fuzz_test.ts) with FUZZ_RUNS inputs each; `make test` runs a sample of each.
# A failure prints fast-check's seed: FUZZ_SEED=<seed> make fuzz replays it.
FUZZ_RUNS ?= 50000
fuzz: $(DENO_DEP)
	FUZZ_RUNS=$(FUZZ_RUNS) $(DENO) test -P=test --quiet $(wildcard src/*/*_fuzz_test.ts src/*/*/*_fuzz_test.ts)

# Measures what users run: a launcher installed (as `make install` does) into .tools/bench.
bench: $(DENO_DEP)
	@$(MAKE) --no-print-directory install PREFIX=$(TOOLS)/bench
	AWS_OKTA_E2E_BIN=$(TOOLS)/bench/bin/aws-okta $(DENO) run -P=test --quiet tests/bench/bench.ts
	$(DENO) bench -P=test --quiet src/config/aws_config_bench.ts

# The release gate (tests/release/smoke.ts) against a launcher installed into .tools/smoke, or against
# SMOKE_BIN (a compiled binary): version, --help, a classic login and cache hit against the simulator,
# the OS keyring where there is one, and the cache hit's start-up beside an empty `deno run`.
SMOKE_BIN ?=
smoke: $(DENO_DEP)
	@$(if $(SMOKE_BIN),,$(MAKE) --no-print-directory install PREFIX=$(TOOLS)/smoke)
	$(DENO) run -P=test --quiet tests/release/smoke.ts $(or $(SMOKE_BIN),$(TOOLS)/smoke/bin/aws-okta)

demo: $(DENO_DEP)
	$(DENO) run -P=test --quiet tests/demo.ts

# The launcher passes its own name ($0) in AWS_OKTA_ARGV0: run through the okta-aws-cli link, aws-okta
# answers as okta-aws-cli (src/cli/okta_aws_cli/entry.ts).
# The launcher runs a code-split bundle of src/main.ts with the same permission set as the compiled
# binary ("aws-okta" in deno.json, spelled out as --allow-* flags), and a copy of the pinned Deno, so
# it works with no deno on PATH.
# Why a bundle: the cred-process cache hit must start nearly as fast as an empty `deno run`. A bundle
# loads a few JavaScript chunks instead of ~50 TypeScript modules, and its dynamic imports are
# rewritten to import(["x"][0]) so that Deno's module-graph analysis does not pre-load them: login
# code loads only when a login runs.
# Why each npm package is bundled on its own into dist/npm/ (checked against deno.lock here, at
# install): the launcher then runs with --no-config, so a start reads no deno.json, no lock file and
# no npm state (measured: 2-3 MB of peak RSS and ~6 ms of the cache hit), and a package with the
# Node compatibility layer it brings loads only when the code that imports it runs.
# --no-lazy compiles whole chunks up front, so V8's code cache holds every function and a start
# does not pay for compiling the parser, config reader and keyring on their first call.
LIBDIR := $(PREFIX)/lib/aws-okta
NPM_EXTERNALS = $(shell $(DENO) eval 'const m = JSON.parse(Deno.readTextFileSync("deno.json")).imports; console.log(Object.keys(m).map((k) => "--external " + k).join(" "))')
LAUNCHER_PERMISSIONS = $(shell $(DENO) eval 'const set = JSON.parse(Deno.readTextFileSync("deno.json")).permissions["aws-okta"]; console.log(Object.entries(set).map(([k, v]) => v === true ? `--allow-$${k}` : `--allow-$${k}=$${v.join(",")}`).join(" "))')

# deno eval script (args: dist directory, then the deno command): points the bundle's imports of npm
# packages (deno.json "imports") at dist/npm/<package>.js and bundles each package there, re-exporting
# every name the package exports; rewrites every dynamic import to import(["x"][0]) (see above).
define BUNDLE_NPM
const [dist, deno] = Deno.args;
const imports = JSON.parse(Deno.readTextFileSync("deno.json")).imports;
const fileOf = (spec) => `npm/$${spec.replace(/^@/, "").replaceAll("/", "__")}.js`;
const used = new Set();
const npm = (spec) => spec in imports ? (used.add(spec), `./$${fileOf(spec)}`) : spec;
for (const entry of Deno.readDirSync(dist)) {
  if (!entry.name.endsWith(".js")) continue;
  const path = `$${dist}/$${entry.name}`;
  const text = Deno.readTextFileSync(path)
    .replace(/\bimport\("([^"]+)"\)/g, (_, spec) => `import(["$${npm(spec)}"][0])`)
    .replace(/(\bfrom\s*|^import\s*)"([^"]+)"/gm, (_, head, spec) => `$${head}"$${npm(spec)}"`);
  Deno.writeTextFileSync(path, text);
}
const entries = Deno.makeTempDirSync({ dir: ".", prefix: ".npm-entries-" });
try {
  for (const spec of used) {
    const names = Object.keys(await import(spec)).filter((name) => /^[A-Za-z_$$][\w$$]*$$/.test(name));
    const entry = `$${entries}/$${fileOf(spec).replace(/^npm\//, "").replace(/\.js$$/, ".ts")}`;
    Deno.writeTextFileSync(entry, `export { $${names.join(", ")} } from "$${spec}";\n`);
    const out = `$${dist}/$${fileOf(spec)}`;
    const args = ["bundle", "-q", "--frozen", "--platform", "deno", "--format", "esm", "-o", out, entry];
    const result = new Deno.Command(deno, { args, stdout: "inherit", stderr: "inherit" }).outputSync();
    if (!result.success) throw new Error(`bundling $${spec} failed`);
  }
} finally {
  Deno.removeSync(entries, { recursive: true });
}
endef
export BUNDLE_NPM

# deno eval script (args: dist directory, then the deno command): merges every chunk main.js loads
# statically (the cache hit's code) into one module, dist/hot.js, bundled from those chunks with
# their exports renamed <chunk>__<name>. Each merged chunk becomes a one-line re-export from hot.js,
# so a dynamic import of one shares hot.js's module instances, and every other module imports from
# hot.js directly. Why: a start pays ~0.1-0.3 ms and some memory per module, and the
# hit loaded 25 (measured: 3-4 ms and 0.5 MB less with two). main.js stays its own module: it holds
# the top-level await that runs the command, and a chunk loaded during that await may import hot.js.
define MERGE_HOT
const [dist, deno] = Deno.args;
const read = (file) => Deno.readTextFileSync(`$${dist}/$${file}`);
const IMPORT = /^import (?:\{([^}]*)\} from )?"\.\/([^"]+)";\n/gm;
const hot = [];
const seen = new Set(["main.js"]);
const visit = (file) => {
  for (const [, , dep] of read(file).matchAll(IMPORT)) {
    if (dep.startsWith("npm/") || seen.has(dep)) continue;
    seen.add(dep);
    visit(dep);
    hot.push(dep);
  }
};
visit("main.js");
const exportsOf = (file) => {
  const block = read(file).match(/^export \{([^}]*)\};\s*$$/m);
  return (block?.[1] ?? "").split(",").map((s) => s.trim()).filter(Boolean).map((s) => s.split(/\s+as\s+/).pop());
};
const alias = (file, name) => `$${file.replace(/\.js$$/, "").replace(/\W/g, "_")}__$${name}`;
const shims = new Map(hot.map((file) => [file, exportsOf(file)]));
const entry = "hot_entry.js";
Deno.writeTextFileSync(`$${dist}/$${entry}`, [...shims].map(([file, names]) => names.length
  ? `export { $${names.map((n) => `$${n} as $${alias(file, n)}`).join(", ")} } from "./$${file}";\n`
  : `import "./$${file}";\n`).join(""));
const args = ["bundle", "-q", "--no-config", "--platform", "deno", "--format", "esm", "--external", "./npm/*", "-o", "hot.js", entry];
const result = new Deno.Command(deno, { args, cwd: dist, stdout: "inherit", stderr: "inherit" }).outputSync();
Deno.removeSync(`$${dist}/$${entry}`);
if (!result.success) throw new Error("bundling the cache hit's chunks into hot.js failed");
for (const [file, names] of shims) {
  Deno.writeTextFileSync(`$${dist}/$${file}`, names.length
    ? `export { $${names.map((n) => `$${alias(file, n)} as $${n}`).join(", ")} } from "./hot.js";\n`
    : `import "./hot.js";\n`);
}
// Every other module (main.js, and the chunks that load later) imports hot.js directly, not
// through the shims: a module fewer to load per merged chunk it uses. The shims stay for any
// dynamic import of a merged module.
for (const entry of Deno.readDirSync(dist)) {
  if (!entry.isFile || !entry.name.endsWith(".js") || entry.name === "hot.js" || shims.has(entry.name)) continue;
  Deno.writeTextFileSync(`$${dist}/$${entry.name}`, read(entry.name).replace(IMPORT, (line, names, file) => {
    if (!shims.has(file)) return line;
    const specs = (names ?? "").split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
      const [imported, local] = s.split(/\s+as\s+/);
      return `$${alias(file, imported)} as $${local ?? imported}`;
    });
    // hot.js is evaluated once, where it is first imported, however many lines import it.
    return specs.length ? `import { $${specs.join(", ")} } from "./hot.js";\n` : `import "./hot.js";\n`;
  }));
}
endef
export MERGE_HOT

install: $(DENO_DEP)
	@mkdir -p $(LIBDIR) $(PREFIX)/bin
	@rm -rf $(LIBDIR)/src $(LIBDIR)/dist $(LIBDIR)/node_modules $(LIBDIR)/deno.json $(LIBDIR)/deno.lock
	@cp -L $(DENO) $(LIBDIR)/deno.tmp && mv -f $(LIBDIR)/deno.tmp $(LIBDIR)/deno
	@$(DENO) bundle -q --frozen --code-splitting --platform deno --format esm $(NPM_EXTERNALS) --outdir $(LIBDIR)/dist src/main.ts
	@$(DENO) eval "$$BUNDLE_NPM" $(LIBDIR)/dist $(DENO)
	@$(DENO) eval "$$MERGE_HOT" $(LIBDIR)/dist $(DENO)
	@printf '%s\n' '#!/bin/sh' '# aws-okta launcher written by make install' \
	  'LIB="$(LIBDIR)"' \
	  '# The user'"'"'s own DENO_DIR and DENO_NO_UPDATE_CHECK, saved for the children of exec' \
	  'unset AWS_OKTA_USER_DENO_DIR AWS_OKTA_USER_DENO_NO_UPDATE_CHECK' \
	  '[ -z "$${DENO_DIR+x}" ] || export AWS_OKTA_USER_DENO_DIR="$$DENO_DIR"' \
	  '[ -z "$${DENO_NO_UPDATE_CHECK+x}" ] || export AWS_OKTA_USER_DENO_NO_UPDATE_CHECK="$$DENO_NO_UPDATE_CHECK"' \
	  'export AWS_OKTA_LAUNCHER=1 DENO_DIR="$${AWS_OKTA_DENO_DIR:-$$LIB/cache}" DENO_NO_UPDATE_CHECK=1 AWS_OKTA_ARGV0="$$0"' \
	  'exec "$$LIB/deno" run -q --no-config $(LAUNCHER_PERMISSIONS) --v8-flags=--no-lazy "$$LIB/dist/main.js" "$$@"' \
	  > $(PREFIX)/bin/aws-okta.tmp
	@chmod 0755 $(PREFIX)/bin/aws-okta.tmp && mv -f $(PREFIX)/bin/aws-okta.tmp $(PREFIX)/bin/aws-okta
	@ln -sfn aws-okta $(PREFIX)/bin/okta-aws-cli
	@$(PREFIX)/bin/aws-okta version >/dev/null
	@echo "Installed $(PREFIX)/bin/aws-okta (and the okta-aws-cli link to it)" >&2

uninstall:
	rm -rf $(LIBDIR) $(PREFIX)/bin/aws-okta $(PREFIX)/bin/okta-aws-cli

# deno compile needs denort for the target, which Deno downloads from dl.deno.land unless DENORT_BIN
# points at one. TARGET defaults to the host.
TARGET ?=
OUT ?= dist/aws-okta$(if $(TARGET),-$(TARGET))
compile: $(DENO_DEP)
	@mkdir -p dist
	@$(DENO) compile -q -P=aws-okta --v8-flags=--no-lazy --frozen $(if $(TARGET),--target $(TARGET)) \
	  --output $(OUT) src/main.ts 2>dist/compile.log \
	  || { echo "make compile: deno compile failed: $$(grep -oE 'dns error|[Nn]o such file or directory|[A-Za-z]+ denied|error sending request' dist/compile.log | head -n1); it needs denort for $(or $(TARGET),the host) (downloaded from dl.deno.land, or DENORT_BIN=/path/to/denort); full output in dist/compile.log" >&2; exit 1; }
	@echo "Compiled $(OUT)" >&2

clean:
	rm -rf dist coverage
