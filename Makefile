# Release builds, installation and benchmarks. Development uses `swift build` / `swift test`.
#
#   make release                        static release binaries in .build/release
#   make install PREFIX=/usr/local      binaries, man pages, completions (builds release first)
#   make install BUILDDIR=.build/debug  install binaries already built there (no build)
#   make uninstall PREFIX=…             removes exactly what install put there
#   make completions                    regenerate completions/ from the built binaries
#   make bench                          print the performance figures
#
# DESTDIR stages an install for a package: files go to $(DESTDIR)$(PREFIX)/….

PREFIX ?= /usr/local
BINDIR = $(DESTDIR)$(PREFIX)/bin
MANDIR = $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

PROGRAMS = dosh doshd

# Where the binaries to install are. Given on the command line, nothing is built.
ifeq ($(origin BUILDDIR), undefined)
BUILDDIR = .build/release
INSTALL_NEEDS = release
endif

# A static executable starts in ~1.5 ms instead of ~6 ms: no dynamic loader, no relocations of
# the Swift runtime. libedit needs libtinfo and libbsd (strvis) when linked statically.
STATIC = -Xswiftc -static-executable -Xlinker -ltinfo -Xlinker -lbsd -Xlinker -lmd

.PHONY: release install uninstall completions bench

release:
	swift build -c release --product dosh $(STATIC)
	swift build -c release --product doshd -Xswiftc -static-executable

install: $(INSTALL_NEEDS)
	install -d $(BINDIR) $(MANDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	for p in $(PROGRAMS); do \
	  install -m 755 $(BUILDDIR)/$$p $(BINDIR)/$$p && \
	  install -m 644 man/$$p.1 $(MANDIR)/$$p.1 && \
	  install -m 644 completions/$$p.bash $(BASHDIR)/$$p && \
	  install -m 644 completions/$$p.zsh $(ZSHDIR)/_$$p && \
	  install -m 644 completions/$$p.fish $(FISHDIR)/$$p.fish || exit 1; \
	done

uninstall:
	for p in $(PROGRAMS); do \
	  rm -f $(BINDIR)/$$p $(MANDIR)/$$p.1 $(BASHDIR)/$$p $(ZSHDIR)/_$$p $(FISHDIR)/$$p.fish; \
	done

# The scripts are swift-argument-parser's; PackagingTests checks they match the binaries.
completions:
	mkdir -p completions
	for p in $(PROGRAMS); do for s in bash zsh fish; do \
	  $(BUILDDIR)/$$p --generate-completion-script $$s > completions/$$p.$$s || exit 1; \
	done; done

bench: release
	swift build -c release --product dosh-bench
	.build/release/dosh-bench startup
	.build/release/dosh-bench boundary
	.build/release/dosh-bench memory
	.build/release/dosh-bench ssh
	.build/release/dosh-bench vm
