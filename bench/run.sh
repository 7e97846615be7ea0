#!/usr/bin/env bash
# ./build.sh bench [options] → bench/run.sh: the whole-pipeline benchmark (DynamoDB → MongoDB, then MongoDB → MongoDB), then a short selection of micro-benchmarks;
# prints the tables and writes bench/results/latest.json. Expects a Release build (build.sh makes one).
#   --items N          items in the full-sync table (default 100000); other pipeline options pass through
#                      (--segments, --page-size, --payload, --rate, --duration, --backlog; see `Replication.Bench pipeline --help`)
#   --memory-1m        also run a full sync of 1,000,000 items from the synthetic DynamoDB endpoint for the node's peak memory
#                      (about a minute; DynamoDB Local cannot scan a table that size here, see bench/README.md)
#   --no-micro         skip the BenchmarkDotNet micro-benchmarks
#   --no-mongo         skip the MongoDB → MongoDB run (`Replication.Bench mongo-pipeline`), which follows the DynamoDB one
#   --documents N      documents in its source (default 100000); --collections K (4) is its alone too, while --payload,
#                      --backlog and --phase-timeout go to both runs
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/bench/Replication.Bench/bin/Release/net10.0/Replication.Bench.dll"
RESULTS="$ROOT/bench/results"
[ -f "$BIN" ] || { echo "bench/run.sh: $BIN is missing; run ./build.sh bench (it builds Release first)" >&2; exit 1; }

pipeline_args=()
mongo_args=()
memory_1m=0
micro=1
mongo=1
while [ $# -gt 0 ]; do
  case "$1" in
    --memory-1m) memory_1m=1; shift ;;
    --no-micro) micro=0; shift ;;
    --no-mongo) mongo=0; shift ;;
    --documents|--collections)
         [ $# -ge 2 ] || { echo "bench/run.sh: option $1 needs a value" >&2; exit 2; }
         mongo_args+=("$1" "$2"); shift 2 ;;
    --payload|--backlog|--phase-timeout)
         [ $# -ge 2 ] || { echo "bench/run.sh: option $1 needs a value" >&2; exit 2; }
         pipeline_args+=("$1" "$2"); mongo_args+=("$1" "$2"); shift 2 ;;
    --*) [ $# -ge 2 ] || { echo "bench/run.sh: option $1 needs a value" >&2; exit 2; }
         pipeline_args+=("$1" "$2"); shift 2 ;;
    *) echo "bench/run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

mkdir -p "$RESULTS"
rm -rf "$RESULTS/micro" "$RESULTS/pipeline.json" "$RESULTS/pipeline-1m.json" "$RESULTS/mongo-pipeline.json"
started=$SECONDS

echo "==> whole pipeline: ${pipeline_args[*]}"
dotnet "$BIN" pipeline ${pipeline_args[@]+"${pipeline_args[@]}"} --output "$RESULTS/pipeline.json"

if [ "$mongo" -eq 1 ]; then
  echo "==> MongoDB → MongoDB: ${mongo_args[*]}"
  # Exits 1 when the target differs from the source at the end: a run that copied wrongly gives no figures.
  dotnet "$BIN" mongo-pipeline ${mongo_args[@]+"${mongo_args[@]}"} --output "$RESULTS/mongo-pipeline.json"
fi

if [ "$memory_1m" -eq 1 ]; then
  echo "==> peak memory of a full sync of 1,000,000 items (synthetic source)"
  dotnet "$BIN" pipeline --source synthetic --items 1000000 --duration 0 --backlog 0 --plain-scan off --phase-timeout 30 --output "$RESULTS/pipeline-1m.json"
fi

if [ "$micro" -eq 1 ]; then
  echo "==> micro-benchmarks (BenchmarkDotNet --job short --inProcess)"
  # In process: BenchmarkDotNet's generated out-of-process project does not build within its time limit on a busy 2-core machine.
  (cd "$RESULTS" && dotnet "$BIN" --job short --inProcess --exporters json --artifacts "$RESULTS/micro" \
     --filter '*DynamoJsonToBsonBenchmarks.Typed*' '*DynamoJsonToBsonBenchmarks.TokenizeOnly*' \
              '*BsonCodecBenchmarks.EncodeDocument*' '*BsonCodecBenchmarks.DecodeAndIterate*' \
              '*ActorThroughputBenchmarks*' '*BulkInsertBenchmark*' > "$RESULTS/micro.log" 2>&1) \
    || { echo "micro-benchmarks failed; see bench/results/micro.log" >&2; tail -20 "$RESULTS/micro.log" >&2; exit 1; }
fi

results_args=(--pipeline "$RESULTS/pipeline.json" --output "$RESULTS/latest.json")
[ -d "$RESULTS/micro" ] && results_args+=(--micro "$RESULTS/micro")
[ -f "$RESULTS/mongo-pipeline.json" ] && results_args+=(--mongo-pipeline "$RESULTS/mongo-pipeline.json")
dotnet "$BIN" results "${results_args[@]}"
if [ -f "$RESULTS/pipeline-1m.json" ]; then
  jq_peak=$(grep -o '"fullSyncPeakRssMegabytes": *[0-9.]*' "$RESULTS/pipeline-1m.json" | grep -o '[0-9.]*$' || true)
  echo "1M-item full sync: peak RSS of the node ${jq_peak:-n/a} MB (bench/results/pipeline-1m.json)"
fi
echo "bench: finished in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
