# ngx_http_profile_module: build, demo and test entry points.
#
#   make deps     install the Debian packages everything needs (idempotent)
#   make build    the nginx module (build/modules/*.so) and the CLI
#   make demo     build, then serve the bundled sample on 127.0.0.1
#   make test     build, then run every suite (prove -It/lib -r t/)
#   make live-long  the long swap storm: 1000 pointer swaps under load
#
# `make -n TARGET` shows what a target runs.

SHELL        := /bin/bash
ROOT         := $(CURDIR)
BUILD        := $(ROOT)/build
NGINX_SRC    ?= /usr/share/nginx/src
NDK_SRC      ?= /usr/share/nginx-ndk/src
NDK_MODULE   ?= /usr/lib/nginx/modules/ndk_http_module.so
NGINX        ?= /usr/sbin/nginx
MODULE_SO    := $(BUILD)/modules/ngx_http_profile_module.so
CLI          := $(ROOT)/tools/profile-snapshot/profile-snapshot
MODULE_SRCS  := $(wildcard ngx_http_profile_module/*.[ch]) config
# extra CFLAGS for the module, e.g. "-fsanitize=address" (see make asan)
MODULE_CFLAGS ?=

DEB_PACKAGES := nginx-core nginx-dev libnginx-mod-http-ndk \
	libnginx-mod-http-ndk-dev libjansson-dev liblmdb-dev lmdb-utils \
	libssl-dev libxxhash-dev libtest-base-perl libtext-diff-perl \
	liblist-moreutils-perl libwww-perl libhttp-message-perl \
	libipc-run-perl curl postgresql

.PHONY: all deps build module cli demo test live-long asan clean

all: build

deps:
	@$(ROOT)/tools/install-deps $(DEB_PACKAGES)

build: module cli

cli:
	$(MAKE) -C tools/profile-snapshot

module: $(MODULE_SO)

# nginx-dev ships headers and auto/ scripts: configure a scratch copy with
# Debian's own flags (always --with-compat), then build only the modules.
$(MODULE_SO): $(MODULE_SRCS)
	rm -rf $(BUILD)/nginx && mkdir -p $(BUILD)/nginx $(BUILD)/modules
	cp -a $(NGINX_SRC)/. $(BUILD)/nginx/
	cd $(BUILD)/nginx && source ./conf_flags \
	    && NDK_SRC=$(NDK_SRC) ./configure "$${NGX_CONF_FLAGS[@]}" \
	        --with-cc-opt="-g -O2 -Wall -Werror $(MODULE_CFLAGS)" \
	        --with-ld-opt="$(MODULE_CFLAGS)" \
	        --add-dynamic-module=$(ROOT) > $(BUILD)/configure.log \
	    || { tail -30 $(BUILD)/configure.log; exit 1; }
	$(MAKE) -C $(BUILD)/nginx -f objs/Makefile modules
	# a new file renamed into place: an nginx still running with the old
	# module keeps its mapping of the old file instead of crashing
	cp $(BUILD)/nginx/objs/ngx_http_profile_module.so $(MODULE_SO).tmp
	mv -f $(MODULE_SO).tmp $(MODULE_SO)

demo: build
	$(ROOT)/demo/run-demo

test: build
	TEST_NGINX_BINARY=$(NGINX) \
	TEST_NGINX_LOAD_MODULES="$(NDK_MODULE) $(MODULE_SO)" \
	    prove -It/lib -r t/

# The swap storm of t/integrity-swap.t with 1000 swaps instead of 200
# (about a minute), and the corrupt candidates and signals after it.
live-long: build
	PROFILE_LIVE_SWAPS=1000 \
	TEST_NGINX_BINARY=$(NGINX) \
	TEST_NGINX_LOAD_MODULES="$(NDK_MODULE) $(MODULE_SO)" \
	    prove -v -It/lib t/integrity-swap.t t/integrity-refuse.t \
	        t/integrity-signals.t

# The CLI's cases and the module's suites against builds with
# AddressSanitizer and UBSan, in $(BUILD)/asan.  Debian's nginx is not
# instrumented, so the sanitizer runtimes are preloaded; the module's
# reports land in the error logs, which the harness checks
# (docs/testing.md).
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
ASAN_TESTS := t/profile.t t/prefix.t t/corrupt.t t/error-page.t t/directives.t \
	t/unavailable.t t/lua-free-examples.t t/cache-safety.t \
	t/integrity-file.t t/integrity-live.t t/access-identity.t \
	t/access-matrix.t t/access-spoofing.t t/integrity-compat.t \
	t/integrity-swap.t t/integrity-refuse.t t/integrity-signals.t \
	t/integrity-publish.t t/snapshot-dir.t t/integrity-kill.t t/format4.t \
	t/views.t t/views-directives.t t/views-batch.t t/views-swap.t \
	t/caching.t t/caching-edge.t

asan: cli
	$(MAKE) module BUILD=$(BUILD)/asan MODULE_CFLAGS="$(ASAN_FLAGS)"
	rm -rf $(BUILD)/asan/cli && mkdir -p $(BUILD)/asan/cli
	cp tools/profile-snapshot/Makefile tools/profile-snapshot/*.[ch] \
	    $(BUILD)/asan/cli/
	$(MAKE) -C $(BUILD)/asan/cli asan \
	    FORMAT_DIR=$(ROOT)/ngx_http_profile_module
	ASAN_OPTIONS=detect_leaks=1 \
	PROFILE_SNAPSHOT=$(BUILD)/asan/cli/profile-snapshot \
	    prove -It/lib t/cli.t t/schema-errors.t
	LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) \
	    $$($(CC) -print-file-name=libubsan.so)" \
	ASAN_OPTIONS=detect_leaks=0 \
	TEST_NGINX_BINARY=$(NGINX) \
	TEST_NGINX_LOAD_MODULES="$(NDK_MODULE) $(BUILD)/asan/modules/ngx_http_profile_module.so" \
	    prove -It/lib $(ASAN_TESTS)

clean:
	rm -rf $(BUILD)
	$(MAKE) -C tools/profile-snapshot clean
