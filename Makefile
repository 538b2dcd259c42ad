# Release builds, installation and benchmarks. Development uses `swift build` / `swift test`.
#
#   make release                    static release binaries in .build/release
#   make install PREFIX=/usr/local  binaries, man pages, completions
#   make uninstall PREFIX=…
#   make bench                      print the performance figures

PREFIX ?= /usr/local
BINDIR = $(DESTDIR)$(PREFIX)/bin

# A static executable starts in ~1.5 ms instead of ~6 ms: no dynamic loader, no relocations of
# the Swift runtime. libedit needs libtinfo and libbsd (strvis) when linked statically.
STATIC = -Xswiftc -static-executable -Xlinker -ltinfo -Xlinker -lbsd -Xlinker -lmd

.PHONY: release install uninstall bench

release:
	swift build -c release --product dosh $(STATIC)
	swift build -c release --product doshd -Xswiftc -static-executable
	swift build -c release --product dosh-bench

install: release
	install -d $(BINDIR)
	install -m 755 .build/release/dosh .build/release/doshd $(BINDIR)

uninstall:
	rm -f $(BINDIR)/dosh $(BINDIR)/doshd

bench: release
	.build/release/dosh-bench startup
	.build/release/dosh-bench boundary
