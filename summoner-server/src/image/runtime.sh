#!/bin/sh
# Builds the container image's runtime into OUT, for Jib to add to an empty ("scratch") base: only Maven Central is
# reachable from the build machines, never a registry of base images. Run by the image profile of summoner-server's
# pom; usage: runtime.sh JAVA_HOME OUT.
#   OUT/opt/java        a Java runtime made by the build JDK's jlink, with the modules the server needs
#   OUT/lib, OUT/lib64  the shared libraries that runtime and Netty's native transport load, copied from this machine
#   OUT/etc             passwd and group naming the image's user (65532), and the image's server_config.json
#   OUT/tmp             the JVM's and Netty's temporary files (mode 1777, set by Jib)
set -eu
java_home=$1
out=$2
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)

# The modules `jdeps --print-module-deps --ignore-missing-deps --multi-release 17 summoner-server.jar` names, and
# jdk.crypto.ec, the provider of TLS's elliptic curves and Ed25519 (found by ServiceLoader, which jdeps cannot see).
modules=java.base,java.compiler,java.desktop,java.naming,java.sql,jdk.jfr,jdk.management,jdk.net,jdk.unsupported,jdk.crypto.ec

[ -x "$java_home/bin/jlink" ] || { echo "error: no jlink in $java_home (the image needs a full JDK: apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
command -v ldd >/dev/null || { echo "error: no ldd on PATH (Debian: libc-bin)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/opt" "$out/etc/summoner" "$out/tmp"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 --output "$out/opt/java"

# What the JVM and the libraries it loads need. The desktop libraries (AWT, fonts, sound) are left without theirs: a
# headless relay never loads them. libdl and librt: Netty's native epoll library names them (stubs in glibc 2.34+).
libraries=$(
  for elf in "$out/opt/java/bin/java" "$out/opt/java/lib/server/libjvm.so" "$out/opt/java/lib/"*.so; do
    case $(basename "$elf") in
      libawt*|libfontmanager.so|libjawt.so|libjavajpeg.so|liblcms.so|libmlib_image.so|libsplashscreen.so|libjsound.so) continue ;;
    esac
    LD_LIBRARY_PATH="$out/opt/java/lib:$out/opt/java/lib/server" ldd "$elf" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
  done
)
libc_dir=$(dirname "$(printf '%s\n' $libraries | grep '/libc\.so\.6$' | head -n 1)")
for stub in libdl.so.2 librt.so.1; do
  [ ! -e "$libc_dir/$stub" ] || libraries="$libraries $libc_dir/$stub"
done
for library in $(printf '%s\n' $libraries | sort -u); do
  case $library in
    "$out"/*) continue ;; # the runtime's own
  esac
  mkdir -p "$out$(dirname "$library")"
  cp -L "$library" "$out$library"
done
[ -n "$(ls "$out/lib64" 2>/dev/null)" ] || [ -n "$(ls "$out/lib" 2>/dev/null)" ] || { echo "error: ldd found no libraries for $out/opt/java/bin/java" >&2; exit 1; }

printf 'root:x:0:0:root:/root:/sbin/nologin\nsummoner:x:65532:65532:summoner relay:/tmp:/sbin/nologin\n' > "$out/etc/passwd"
printf 'root:x:0:\nsummoner:x:65532:\n' > "$out/etc/group"
cp "$here/server_config.json" "$out/etc/summoner/server_config.json"

# The runtime starts (here on this machine's libraries; ServerImageIT runs the image on the copied ones).
"$out/opt/java/bin/java" -version >/dev/null 2>&1 || { echo "error: the runtime in $out/opt/java does not start" >&2; exit 1; }
