# Shared by tools/test and tools/quickstart (sourced, not run): install the Debian packages the build
# needs, configure a Meson build folder and build it. Every step does nothing when there is nothing
# to do, so running the tools again is cheap.
#
# Environment:
#   ZNN_BUILD  the build folder (default: build), relative to the repository root unless absolute
#   ZNN_JOBS   parallel compile jobs (default: Ninja's choice, about the number of cores)

# The Debian/Ubuntu packages of the build, the tests included.
znn_packages=(meson ninja-build pkg-config g++ libfftw3-dev libboost-program-options-dev libboost-dev
              libhdf5-dev libtiff-dev catch2)

znn_say() { printf '%s: %s\n' "${znn_tool:-znn}" "$*" >&2; }

# The absolute build folder for ZNN_BUILD; $1 is the repository root.
znn_build_dir() {
    local build="${ZNN_BUILD:-build}"
    [[ "$build" = /* ]] || build="$1/$build"
    printf '%s\n' "$build"
}

# Installs the packages that are missing: with apt-get when run as root, otherwise prints the
# command to run and returns 1. Not a Debian system (no dpkg-query): says so and carries on.
znn_install_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        znn_say "not a Debian-based system: make sure these (or their equivalents) are installed:"
        znn_say "  ${znn_packages[*]}"
        return 0
    fi
    local missing=() p
    for p in "${znn_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    if ((EUID != 0)); then
        znn_say "missing packages: ${missing[*]}; install them with:"
        printf '  sudo apt-get update && sudo apt-get install -y %s\n' "${missing[*]}" >&2
        return 1
    fi
    znn_say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Value ("true"/"false") of a boolean project option in a configured build folder.
znn_build_option() {
    meson introspect "$1" --buildoptions 2>/dev/null | grep -o "{[^{}]*\"name\": \"$2\"[^{}]*}" |
        grep -o '"value": [a-z]*' | cut -d' ' -f2
}

# Configures build folder $1 for source root $2: `meson setup` when it is not configured yet,
# `--reconfigure` only when the folder was made by another Meson version, `-Dtests=true` when
# $3 is "tests" and the folder has the tests switched off. Otherwise nothing: Ninja re-runs Meson
# by itself when a meson.build changes.
znn_configure() {
    local build="$1" root="$2" want="${3:-}"
    if [[ ! -f "$build/meson-private/coredata.dat" ]]; then
        znn_say "configuring $build"
        meson setup "$build" "$root"
    elif ! meson introspect "$build" --buildoptions >/dev/null 2>&1; then
        znn_say "$build was configured by another Meson version: reconfiguring"
        meson setup --reconfigure "$build" "$root" || meson setup --wipe "$build" "$root"
    fi
    if [[ "$want" == tests && "$(znn_build_option "$build" tests)" == false ]]; then
        znn_say "switching the tests on in $build"
        meson configure "$build" -Dtests=true
    fi
}

# Builds build folder $1: every target, or the targets named after it.
znn_compile() {
    local build="$1"
    shift
    meson compile -C "$build" ${ZNN_JOBS:+-j "$ZNN_JOBS"} "$@"
}
