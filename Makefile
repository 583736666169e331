# Revenge — the one build. `make help` lists the targets.
#
# Out-of-tree objects live in $(BUILD); `make sanitize` uses a separate
# build directory so sanitizer and normal objects never mix.

BUILD    ?= build
CC       ?= cc
SAN      ?= 0
OPT      ?= -O2

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wimplicit-fallthrough -Wpointer-arith \
            -Wcast-qual -Wundef -Wno-missing-field-initializers
CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=c11 -D_GNU_SOURCE $(WARN) -Iapp -Iworkers -I$(BUILD)/gen -I/usr/include/postgresql -Itests/lib \
            -fstack-protector-strong -fno-strict-aliasing -MMD -MP
LDFLAGS  ?=
LDLIBS   := -lfcgi -lpq -lhiredis -lcjson -lcurl -lssl -lcrypto -largon2 -lavformat -lavcodec -lavutil -lutf8proc -lsystemd \
            -lpthread -lm
# QR codes of TOTP secrets (app/auth/totp.c, docs/internals/dependencies.md)
LDLIBS   += -lqrencode

ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
else
CFLAGS   += -D_FORTIFY_SOURCE=2
endif

APP_SRCS    := $(filter-out app/main_%.c,$(shell find app -name '*.c' | sort))
WORKER_SRCS := $(filter-out workers/main.c,$(wildcard workers/*.c))
MIGRATIONS  := $(sort $(wildcard migrations/*.sql))
GEN_SRCS    := $(BUILD)/gen/migrations_data.c $(BUILD)/gen/openapi_data.c

APP_OBJS    := $(APP_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations_data.o \
               $(BUILD)/obj/gen/openapi_data.o
WORKER_OBJS := $(WORKER_SRCS:%.c=$(BUILD)/obj/%.o)
LIBAPP      := $(BUILD)/libapp.a
LIBWORKER   := $(BUILD)/libworker.a

BINS := $(BUILD)/revenge-fcgi $(BUILD)/revenge-worker $(BUILD)/revenge

UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
INTEG_SRCS  := $(wildcard tests/integration/test_*.c)
INTEG_BINS  := $(INTEG_SRCS:tests/integration/%.c=$(BUILD)/tests/integration/%)
TESTLIB_SRCS := $(wildcard tests/lib/*.c)
TESTLIB_OBJS := $(TESTLIB_SRCS:%.c=$(BUILD)/obj/%.o)
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all help deps run stop test test-unit test-integration test-e2e test-bins \
        web test-web test-browser bench-web sanitize lint bench bench-api bench-queue bench-scan bench-webhooks bench-watch fuzz install clean format corpus

all: $(BINS)

help:
	@echo "make            build build/revenge-fcgi, build/revenge-worker, build/revenge"
	@echo "make web        the web client (web/) into build/web: npm ci from the lock file, then Vite"
	@echo "make run        install what is missing, start the local stack under ./var, print the URL"
	@echo "make stop       stop everything 'make run' started"
	@echo "make test       install what is missing, start throwaway services, run every test tier"
	@echo "make sanitize   the tests under ASan+UBSan"
	@echo "make lint       cppcheck over app/ and workers/"
	@echo "make bench      benchmarks (printed, never asserted): bench-api, bench-queue, bench-scan, bench-webhooks, bench-watch, bench-web"
	@echo "make fuzz       short libFuzzer runs of every fuzz target"
	@echo "make corpus     filename parser accuracy on the guessit and PTN corpora"

deps:
	@deploy/stack.sh deps

$(BUILD)/gen/migrations_data.c: $(MIGRATIONS) deploy/embed-migrations.sh
	@mkdir -p $(dir $@)
	deploy/embed-migrations.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

# the commit the binaries are built from, for revenge_build_info in /metrics;
# rewritten only when it changes, so a rebuild recompiles one file
$(BUILD)/gen/build_commit.h: FORCE
	@mkdir -p $(dir $@)
	@c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	 printf '#define REVENGE_COMMIT "%s"\n' "$$c" > $@.tmp; \
	 cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/obj/app/http/metrics.o: $(BUILD)/gen/build_commit.h

.PHONY: FORCE
FORCE:

$(BUILD)/obj/gen/migrations_data.o: $(BUILD)/gen/migrations_data.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# the OpenAPI document the API serves at /api/v1/openapi.yaml
$(BUILD)/gen/openapi_data.c: docs/openapi.yaml deploy/embed-text.sh
	@mkdir -p $(dir $@)
	deploy/embed-text.sh openapi_yaml docs/openapi.yaml > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/openapi_data.o: $(BUILD)/gen/openapi_data.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(LIBAPP): $(APP_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBWORKER): $(WORKER_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^ $(if $(WORKER_OBJS),,)

$(BUILD)/revenge-fcgi: $(BUILD)/obj/app/main_fcgi.o $(LIBAPP)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/revenge: $(BUILD)/obj/app/main_cli.o $(LIBAPP)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/revenge-worker: $(BUILD)/obj/workers/main.o $(WORKER_OBJS) $(LIBAPP)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(TESTLIB_OBJS) $(WORKER_OBJS) $(LIBAPP)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/integration/%: $(BUILD)/obj/tests/integration/%.o $(TESTLIB_OBJS) $(WORKER_OBJS) $(LIBAPP)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# the local fake TMDb the integration tests replay recorded responses from
$(BUILD)/tests/fake_tmdb: $(BUILD)/obj/tests/fake_tmdb/fake_tmdb.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcjson

# the movies end-to-end client (HTTPS with libcurl, seeding with libpq)
$(BUILD)/tests/e2e/movies_e2e: $(BUILD)/obj/tests/e2e/movies_e2e.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcurl -lcjson -lpq

test-bins: $(BINS) $(UNIT_BINS) $(INTEG_BINS) $(BUILD)/tests/fake_tmdb $(BUILD)/tests/e2e/movies_e2e

$(BUILD)/tests/corpus/corpus: $(BUILD)/obj/tests/corpus/corpus.o $(LIBAPP)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# per-field accuracy of the filename parser (printed, never asserted)
corpus: all $(BUILD)/tests/corpus/corpus
	@$(BUILD)/tests/corpus/corpus tests/fixtures

# --- the web client ---------------------------------------------------------
# web/ is a TypeScript single-page app built by Vite into build/web (the same
# for every BUILD: it holds no C), which deploy/stack.sh copies into the web
# root nginx serves. Its packages come from the committed lock files only.

WEB_OUT   := build/web
WEB_SRCS  := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
             web/vite.config.ts web/tsconfig.json web/package.json

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

tests/browser/node_modules/.package-lock.json: tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# s3rver, the S3-compatible server the storage tests run (tests/s3)
tests/s3/node_modules/.package-lock.json: tests/s3/package-lock.json
	cd tests/s3 && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# the OpenID provider the single sign-on tests log in at (tests/oidc)
OIDC_NODE := tests/oidc/node_modules/.package-lock.json
$(OIDC_NODE): tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_OUT)/index.html: web/node_modules/.package-lock.json $(WEB_SRCS)
	cd web && REVENGE_WEB_OUT=$(CURDIR)/$(WEB_OUT) npm run --silent build

web: $(WEB_OUT)/index.html

# the client's own unit tests (Vitest)
test-web: web/node_modules/.package-lock.json
	@tests/run.sh web $(BUILD)

# --- the two commands -------------------------------------------------------

run: deps
	@$(MAKE) --no-print-directory all web
	@deploy/stack.sh run var

stop:
	@deploy/stack.sh down var

test: deps
	@deploy/stack.sh deps-browser
	@$(MAKE) --no-print-directory test-bins web tests/browser/node_modules/.package-lock.json \
		tests/s3/node_modules/.package-lock.json $(OIDC_NODE)
	@tests/run.sh all $(BUILD)

test-unit: test-bins
	@tests/run.sh unit $(BUILD)

test-integration: test-bins tests/s3/node_modules/.package-lock.json $(OIDC_NODE)
	@tests/run.sh integration $(BUILD)

test-e2e: test-bins $(OIDC_NODE)
	@tests/run.sh e2e $(BUILD)

# the browser tests alone (Chromium against a throwaway stack)
test-browser: test-bins web tests/browser/node_modules/.package-lock.json
	@deploy/stack.sh deps-browser
	@tests/run.sh browser $(BUILD)

sanitize: deps
	@deploy/stack.sh deps-browser
	@$(MAKE) --no-print-directory web tests/browser/node_modules/.package-lock.json \
		tests/s3/node_modules/.package-lock.json $(OIDC_NODE)
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 OPT=-O1 test-bins
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		tests/run.sh all build/san

lint:
	@command -v cppcheck >/dev/null || deploy/stack.sh deps
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--std=c11 -D_GNU_SOURCE -Iapp -Iworkers --inline-suppr \
		--suppress=missingIncludeSystem app workers

bench: deps
	@$(MAKE) --no-print-directory all web tests/browser/node_modules/.package-lock.json
	@tests/bench/run.sh $(BUILD)
	@tests/bench/movies.sh $(BUILD)
	@BENCH_MOVIES=100000 tests/bench/movies.sh $(BUILD)
	@if [ -x tests/bench/queue.sh ]; then tests/bench/queue.sh $(BUILD); fi
	@$(MAKE) --no-print-directory bench-scan
	@tests/bench/webhooks.sh $(BUILD)
	@$(MAKE) --no-print-directory bench-watch
	@$(MAKE) --no-print-directory bench-web

# the request path (/healthz, /readyz, /users/me), then the movies API on a
# seeded library of 10 000 movies (printed, never asserted)
bench-api: deps
	@$(MAKE) --no-print-directory all
	@tests/bench/run.sh $(BUILD)
	@tests/bench/movies.sh $(BUILD)
	@BENCH_MOVIES=100000 tests/bench/movies.sh $(BUILD)

$(BUILD)/tests/bench/scan_bench: $(BUILD)/obj/tests/bench/scan_bench.o $(LIBAPP)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# the web client's first load: compressed JavaScript and time to interactive
bench-web: deps
	@deploy/stack.sh deps-browser
	@$(MAKE) --no-print-directory all web tests/browser/node_modules/.package-lock.json
	@tests/bench/web.sh $(BUILD)

# the scanner on a generated tree of 100 000 files (printed, never asserted)
bench-scan: deps
	@$(MAKE) --no-print-directory all $(BUILD)/tests/bench/scan_bench
	@tests/bench/scan.sh $(BUILD)

# a file copied into a watched library until GET /api/v1/movies lists it
# (printed, never asserted)
bench-watch: deps
	@$(MAKE) --no-print-directory all
	@tests/bench/watch.sh $(BUILD)

bench-queue: deps
	@$(MAKE) --no-print-directory all
	@tests/bench/queue.sh $(BUILD)

# Radarr webhooks accepted per second, and checked for loss (printed)
bench-webhooks: deps
	@$(MAKE) --no-print-directory all
	@tests/bench/webhooks.sh $(BUILD)

fuzz: deps
	@tests/fuzz/run.sh

format:
	clang-format -i $$(find app workers tests -name '*.[ch]')

install: all
	install -d $(DESTDIR)/usr/local/bin
	install -m 0755 $(BINS) $(DESTDIR)/usr/local/bin/

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
