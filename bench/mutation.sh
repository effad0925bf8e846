#!/usr/bin/env bash
# Mutation testing with mutmut (slow: not part of CI). Prints the score of each module.
#
#   bench/mutation.sh                 every module below
#   bench/mutation.sh retry errors    only these (names from the MODULES table)
#
# Each module is mutated in its own scratch copy of the repository (under $MUTATION_WORK, default
# /tmp/notion-mcp-mutation/<name>) with only the tests that exercise it, so a run touches nothing
# here and one module's score does not wait for the whole suite. MUTATION_JOBS (default 2) tests
# mutants in parallel; MUTATION_TIMEBOX (seconds, default 1800) stops a module that runs longer.
# Survivors: `cd $MUTATION_WORK/<name> && mutmut results` lists them, `mutmut show <mutant>` shows one.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${MUTATION_WORK:-/tmp/notion-mcp-mutation}"
jobs="${MUTATION_JOBS:-2}"
timebox="${MUTATION_TIMEBOX:-1800}"
python -c "import mutmut" 2>/dev/null || pip install -q 'mutmut>=3.8'

# name | files to mutate (globs, space-separated) | tests that exercise them (space-separated)
MODULES="
retry|src/notion_mcp/notion/retry.py|tests/notion/test_gateway.py tests/tools/test_retry_waits.py tests/tools/test_writes_sent_once.py
ratelimit|src/notion_mcp/notion/ratelimit.py|tests/notion/test_ratelimit.py tests/notion/test_limiter_pause.py
gateway|src/notion_mcp/notion/gateway.py|tests/notion/test_gateway.py tests/notion/test_gateway_endpoints.py tests/notion/test_cursors.py tests/tools/test_writes_sent_once.py
pagination|src/notion_mcp/notion/pagination.py|tests/notion/test_collect.py tests/notion/test_cursors.py tests/tools/test_paging_edges.py tests/sandbox/test_query_paging.py tests/tools/test_bad_input.py
ids|src/notion_mcp/notion/ids.py|tests/notion/test_ids.py
plan|src/notion_mcp/notion/plan.py|tests/notion/test_plan_rules.py tests/notion/test_plan.py --deselect=tests/notion/test_plan.py::test_every_block_once_in_order_and_every_request_within_the_limits --deselect=tests/notion/test_plan.py::test_the_limits_hold_for_any_setting --deselect=tests/notion/test_plan.py::test_waiting_for_the_item_never_costs_more_than_riding_in_part --deselect=tests/notion/test_plan.py::test_the_request_count_stays_close_to_the_lower_bound
append|src/notion_mcp/notion/append.py|tests/notion/test_tree_fake.py
create|src/notion_mcp/notion/create.py|tests/notion/test_create.py
tree|src/notion_mcp/notion/tree.py|tests/notion/test_tree_fake.py
first_part|src/notion_mcp/notion/first_part.py|tests/notion/test_first_part.py
errors|src/notion_mcp/errors.py|tests/test_errors.py tests/notion/test_gateway.py tests/tools/test_advice.py
window|src/notion_mcp/notion/window.py|tests/notion/test_window.py tests/test_rate_windows.py
limiter|src/notion_mcp/notion/limiter.py|tests/notion/test_limiter.py tests/test_rate_windows.py
ratestore|src/notion_mcp/notion/ratestore.py|tests/notion/test_ratestore.py tests/notion/test_window.py
ratestore_redis|src/notion_mcp/notion/ratestore_redis.py|tests/notion/test_ratestore_redis.py
schema_cache|src/notion_mcp/notion/schema_cache.py|tests/notion/test_schema_cache.py tests/tools/test_fewer_requests.py
usage|src/notion_mcp/notion/usage.py|tests/notion/test_usage.py tests/test_resources.py
health|src/notion_mcp/notion/health.py|tests/test_check.py
config|src/notion_mcp/config.py|tests/test_config.py tests/test_config_values.py tests/tools/test_advice.py
dispatch|src/notion_mcp/tools/_dispatch.py|tests/tools/test_dispatch_rules.py
markdown_render|src/notion_mcp/markdown/render.py src/notion_mcp/markdown/render_blocks.py src/notion_mcp/markdown/render_kit.py src/notion_mcp/markdown/inline_render.py src/notion_mcp/markdown/rich_text.py src/notion_mcp/markdown/colors.py src/notion_mcp/markdown/ids.py src/notion_mcp/markdown/languages.py|tests/markdown/test_enhanced.py tests/markdown/test_fixtures.py tests/markdown/test_objects.py tests/markdown/test_render_text.py tests/markdown/test_round_trip.py tests/markdown/test_mentions.py tests/markdown/test_ids.py tests/markdown/test_alerts.py --deselect=tests/markdown/test_round_trip.py::test_random_block_trees_survive_the_round_trip --deselect=tests/markdown/test_round_trip.py::test_random_rich_text_survives_the_round_trip
markdown_parse|src/notion_mcp/markdown/parse.py src/notion_mcp/markdown/parse_elements.py src/notion_mcp/markdown/parse_kit.py src/notion_mcp/markdown/parse_nodes.py src/notion_mcp/markdown/parse_tags.py src/notion_mcp/markdown/inline_parse.py src/notion_mcp/markdown/mdit.py src/notion_mcp/markdown/tags.py|tests/markdown/test_enhanced.py tests/markdown/test_fixtures.py tests/markdown/test_objects.py tests/markdown/test_render_text.py tests/markdown/test_round_trip.py tests/markdown/test_mentions.py tests/markdown/test_ids.py tests/markdown/test_alerts.py --deselect=tests/markdown/test_round_trip.py::test_random_block_trees_survive_the_round_trip --deselect=tests/markdown/test_round_trip.py::test_random_rich_text_survives_the_round_trip
markdown_other|src/notion_mcp/markdown/enhanced.py src/notion_mcp/markdown/objects.py src/notion_mcp/markdown/normalize.py src/notion_mcp/markdown/errors.py src/notion_mcp/markdown/__init__.py|tests/markdown/test_enhanced.py tests/markdown/test_fixtures.py tests/markdown/test_objects.py tests/markdown/test_render_text.py tests/markdown/test_round_trip.py tests/markdown/test_mentions.py tests/markdown/test_ids.py tests/markdown/test_alerts.py --deselect=tests/markdown/test_round_trip.py::test_random_block_trees_survive_the_round_trip --deselect=tests/markdown/test_round_trip.py::test_random_rich_text_survives_the_round_trip
markdown_blocks|src/notion_mcp/markdown/render_blocks.py src/notion_mcp/markdown/parse_elements.py|tests/markdown/test_enhanced.py tests/markdown/test_fixtures.py tests/markdown/test_objects.py tests/markdown/test_render_text.py tests/markdown/test_round_trip.py tests/markdown/test_mentions.py tests/markdown/test_ids.py tests/markdown/test_alerts.py --deselect=tests/markdown/test_round_trip.py::test_random_block_trees_survive_the_round_trip --deselect=tests/markdown/test_round_trip.py::test_random_rich_text_survives_the_round_trip
row_values|src/notion_mcp/notion/row_values.py|tests/notion/test_row_values.py tests/tools/test_upsert_values.py tests/tools/test_bulk.py
views|src/notion_mcp/notion/views.py|tests/tools/test_views.py tests/tools/test_templates_and_views.py
uploads|src/notion_mcp/notion/uploads.py|tests/notion/test_upload_steps.py tests/tools/test_uploads.py
duplicate|src/notion_mcp/notion/duplicate.py|tests/tools/test_duplicate.py tests/tools/test_move_and_comments.py
discussions|src/notion_mcp/notion/discussions.py|tests/tools/test_move_and_comments.py tests/tools/test_recorded_comments.py
markdown_create|src/notion_mcp/notion/markdown_create.py|tests/tools/test_markdown_create.py
bulk|src/notion_mcp/notion/bulk.py|tests/notion/test_bulk_rules.py tests/tools/test_bulk.py tests/tools/test_bulk_keys.py
edit|src/notion_mcp/notion/edit.py|tests/notion/test_edit.py tests/tools/test_recorded_edits.py
edit_plan|src/notion_mcp/notion/edit_plan.py|tests/notion/test_edit_plan.py tests/tools/test_recorded_edits.py
markdown_read|src/notion_mcp/notion/markdown_read.py|tests/notion/test_markdown_read.py tests/tools/test_markdown_fast_path.py
markdown_write|src/notion_mcp/notion/markdown_write.py|tests/notion/test_markdown_write.py tests/tools/test_markdown_fast_path.py
backup_values|src/notion_mcp/backup/values.py src/notion_mcp/backup/rows.py|tests/backup/test_sync_rows.py tests/backup/test_property_files.py
backup_layout|src/notion_mcp/backup/layout.py src/notion_mcp/backup/manifest.py src/notion_mcp/backup/files.py|tests/backup/test_export.py tests/backup/test_import.py
backup_sync|src/notion_mcp/backup/diff.py src/notion_mcp/backup/sync.py|tests/backup/test_sync.py tests/backup/test_sync_nested.py
backup_transfer|src/notion_mcp/backup/export.py src/notion_mcp/backup/restore.py src/notion_mcp/backup/reupload.py src/notion_mcp/backup/progress.py src/notion_mcp/backup/cli.py|tests/backup/test_export.py tests/backup/test_import.py tests/backup/test_import_files.py tests/backup/test_commands.py
"
# Modules the next issues add go in the table the same way (e.g. notion/bulk.py with its tests).

wanted=" $* "
printf '%-12s %8s %8s %8s %8s\n' module mutants killed survived score
echo "$MODULES" | while IFS='|' read -r name files tests; do
  [ -n "$name" ] || continue
  if [ -n "${*:-}" ] && [[ "$wanted" != *" $name "* ]]; then continue; fi
  dir="$work/$name"
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$dir")
  {
    echo "[mutmut]"
    echo "source_paths = src"
    echo "also_copy ="
    echo "    docs"
    echo "    README.md"
    echo "only_mutate ="
    for f in $files; do echo "    $f"; done
    echo "pytest_add_cli_args_test_selection ="
    for t in $tests; do echo "    $t"; done
    echo "pytest_add_cli_args ="
    echo "    -p"
    echo "    no:cacheprovider"
  } > "$dir/setup.cfg"
  (
    cd "$dir" && unset PYTHONPATH
    timeout "$timebox" mutmut run --max-children "$jobs" > mutmut.log 2>&1 || true
    mutmut results --all true > results.txt 2>/dev/null || true
  )
  python - "$dir/results.txt" "$name" <<'PY'
import sys
counts: dict[str, int] = {}
for line in open(sys.argv[1], encoding="utf-8"):
    if ":" in line:
        status = line.rsplit(":", 1)[1].strip()
        counts[status] = counts.get(status, 0) + 1
killed = counts.get("killed", 0) + counts.get("timeout", 0)
survived = counts.get("survived", 0) + counts.get("no tests", 0)  # a mutant no test runs is not killed
tested = killed + survived
score = f"{100 * killed / tested:.1f}%" if tested else "-"
others = {k: v for k, v in counts.items() if k not in ("killed", "timeout", "survived", "no tests")}
print(f"{sys.argv[2]:<12} {sum(counts.values()):>8} {killed:>8} {survived:>8} {score:>8}  {others or ''}")
PY
done
