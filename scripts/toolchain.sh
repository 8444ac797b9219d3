# Sourced by the scripts that run Swift (test, demo, bench, chaos, docs, CI): puts a Swift
# toolchain on PATH. `swift` already on PATH wins; otherwise $SWIFT_TOOLCHAIN/usr/bin, where
# SWIFT_TOOLCHAIN defaults to /opt/swift (where swift.org's Linux tarball is usually unpacked).
if ! command -v swift >/dev/null 2>&1; then
    if [ -x "${SWIFT_TOOLCHAIN:-/opt/swift}/usr/bin/swift" ]; then
        export PATH="${SWIFT_TOOLCHAIN:-/opt/swift}/usr/bin:$PATH"
    else
        echo "no swift on PATH and none in ${SWIFT_TOOLCHAIN:-/opt/swift}/usr/bin: install Swift 6.1 or later" \
             "(https://www.swift.org/install/linux/) and put it on PATH, or set SWIFT_TOOLCHAIN to its directory" >&2
        return 1 2>/dev/null || exit 1
    fi
fi
