#!/usr/bin/env bash
# Configures and builds CMC into ${CMC_BUILD_DIR:-<repo>/build} (Release, -j${CMC_JOBS:-2}),
# showing progress (each target as it is linked) and every error or warning.
# Sourced by scripts/run-local and scripts/test.
cmc_build() {
  local repo=$1
  local build_dir=${CMC_BUILD_DIR:-$repo/build}
  local started=$SECONDS log rc
  mkdir -p "$build_dir"
  log="$build_dir/build.log"
  rm -f "$build_dir/build.rc"
  echo "build: configuring $build_dir"
  if ! cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1; then
    cat "$log"
    return 1
  fi
  echo "build: compiling with -j${CMC_JOBS:-2} (a clean build takes about 10 minutes on 2 cores)"
  # set -e of the caller must not end this group before the status is written.
  (
    set +e
    cmake --build "$build_dir" -j"${CMC_JOBS:-2}" >>"$log" 2>&1
    echo $? >"$build_dir/build.rc"
  ) &
  local pid=$! shown=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    local lines
    lines=$(wc -l <"$log")
    if ((lines > shown)); then
      sed -n "$((shown + 1)),${lines}p" "$log" |
        grep -E "Built target|error|warning" | sed 's/^/build: /' || true
      shown=$lines
    fi
  done
  wait "$pid" || true
  sed -n "$((shown + 1)),\$p" "$log" | grep -E "Built target|error|warning" | sed 's/^/build: /' || true
  rc=$(cat "$build_dir/build.rc")
  if [[ $rc != 0 ]]; then
    echo "build: FAILED (full log: $log)" >&2
    grep -B2 -A8 -E "error" "$log" | head -60 >&2 || true
    return 1
  fi
  echo "build: done in $((SECONDS - started)) s"
}
