"""The guest of the virtual-machine test: a Linux kernel from Debian's linux-image-cloud-amd64 and
an initramfs made here from busybox-static, the kernel's virtio modules and the dosh under test.

The dosh is the very binary the suite built, with the shared libraries `ldd` names copied to the
same paths, so that the VM runs the bytes under test and no second (static) build is needed.
"""
import glob
import os
import stat
import subprocess

# The cloud kernel builds the virtio transport and the console port as modules.
WANTED_MODULES = ["virtio_pci", "virtio_console"]
BUSYBOX = "/bin/busybox"
PORT_NAME = "dosh"

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /tmp /root
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
for module in %(modules)s; do insmod /lib/modules/$module; done
# No udev here: name the virtio-serial ports under /dev/virtio-ports as its rules would.
mkdir -p /dev/virtio-ports
tries=0
while [ ! -e /sys/class/virtio-ports/vport0p1 ] && [ $tries -lt 100 ]; do usleep 50000; tries=$((tries + 1)); done
for port in /sys/class/virtio-ports/*; do ln -s ../${port##*/} /dev/virtio-ports/$(cat $port/name); done
hostname dosh-guest
# A serial console has no size; without one the editor would wrap at 80 columns.
stty -F /dev/ttyS0 rows 30 cols 1000
echo "guest: up, kernel $(uname -r)"
HOME=/root TERM=vt100 LC_ALL=C.UTF-8 setsid cttyhack /bin/dosh --host serial:/dev/virtio-ports/%(port)s
echo "guest: dosh ended with status $?"
poweroff -f
"""


def kernel():
    """The newest cloud kernel in /boot whose modules are installed, or None."""
    for image in sorted(glob.glob("/boot/vmlinuz-*-cloud-amd64"), reverse=True):
        release = os.path.basename(image)[len("vmlinuz-"):]
        if os.path.exists("/lib/modules/%s/modules.dep" % release) and os.access(image, os.R_OK):
            return image, release
    return None


def modules_in_load_order(release):
    """The files of WANTED_MODULES and what they need, each after its dependencies (modules.dep,
    which depmod wrote when the kernel package was installed)."""
    base = "/lib/modules/%s/" % release
    needs = {}
    with open(base + "modules.dep") as dep:
        for line in dep:
            module, _, rest = line.partition(":")
            needs[module] = rest.split()
    by_name = {os.path.basename(module)[:-len(".ko")]: module for module in needs}
    order = []

    def add(module):
        if module in order:
            return
        for dependency in needs.get(module, []):
            add(dependency)
        order.append(module)

    for name in WANTED_MODULES:
        add(by_name[name])
    return [base + module for module in order]


def shared_libraries(binary):
    """Every library `ldd` resolves for `binary`, and the dynamic loader."""
    # ldd says "not a dynamic executable" (status 1) of a static binary: nothing to copy.
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    paths = []
    for line in out.splitlines():
        parts = line.split()
        if "=>" in parts and len(parts) > parts.index("=>") + 1 and parts[parts.index("=>") + 1].startswith("/"):
            paths.append(parts[parts.index("=>") + 1])
        elif parts and parts[0].startswith("/"):
            paths.append(parts[0])
    return paths


class NewcArchive:
    """A cpio archive in the kernel's initramfs format (newc), written without a cpio tool."""

    def __init__(self, path):
        self.out = open(path, "wb")
        self.inode = 1
        self.directories = set()

    def _entry(self, name, mode, data=b""):
        fields = [self.inode, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
        self.inode += 1
        header = b"070701" + b"".join(b"%08X" % field for field in fields)
        self.out.write(header + name.encode() + b"\0")
        self.out.write(b"\0" * (-(len(header) + len(name) + 1) % 4))
        self.out.write(data)
        self.out.write(b"\0" * (-len(data) % 4))

    def directory(self, name):
        name = name.strip("/")
        if not name or name in self.directories:
            return
        self.directory(os.path.dirname(name))
        self.directories.add(name)
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o755):
        name = name.strip("/")
        self.directory(os.path.dirname(name))
        self._entry(name, stat.S_IFREG | mode, data)

    def copy(self, source, name=None, mode=None):
        with open(source, "rb") as f:
            data = f.read()
        self.file(name or source, data, mode if mode is not None else stat.S_IMODE(os.stat(source).st_mode))

    def close(self):
        self._entry("TRAILER!!!", 0)
        self.out.close()


def build(dosh, release, path):
    """Writes the initramfs for `dosh` and the kernel `release` to `path`."""
    archive = NewcArchive(path)
    for name in ["proc", "sys", "dev", "tmp", "root", "etc"]:
        archive.directory(name)
    archive.copy(BUSYBOX, "bin/busybox", 0o755)
    archive.copy(dosh, "bin/dosh", 0o755)
    for library in sorted(set(shared_libraries(dosh) + shared_libraries(BUSYBOX))):
        archive.copy(library)
    modules = modules_in_load_order(release)
    for module in modules:
        archive.copy(module, "lib/modules/" + os.path.basename(module), 0o644)
    for entry in ["v/vt100", "d/dumb"]:
        terminfo = "/usr/share/terminfo/" + entry
        if not os.path.exists(terminfo):
            terminfo = "/lib/terminfo/" + entry
        if os.path.exists(terminfo):
            archive.copy(terminfo, "usr/share/terminfo/" + entry, 0o644)
    archive.file("etc/passwd", b"root:x:0:0:root:/root:/bin/dosh\n", 0o644)
    archive.file("etc/group", b"root:x:0:\n", 0o644)
    archive.file("root/.doshrc", b"PS1='[dosh]\\$ '\n", 0o644)
    archive.file("init", (INIT % {"modules": " ".join(os.path.basename(m) for m in modules), "port": PORT_NAME}).encode(), 0o755)
    archive.close()
