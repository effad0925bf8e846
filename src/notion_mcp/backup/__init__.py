"""Backup, restore and two-way sync of Notion pages and databases as a folder of files.

A client of `notion/` (requests, policies, trees) and `markdown/` (blocks ↔ markdown); never of
`tools/`. The file layout, the manifest and the conflict rules are in docs/sync.md.

    files.py     atomic writes, file names from titles
    manifest.py  what was exported, from which version, where (the state of export and sync)
    values.py    property values ↔ plain values (front matter, rows.csv)
    layout.py    a page file: YAML front matter + markdown body; _schema.yaml; rows.csv
    export.py    Notion → folder (incremental, resumable)
    restore.py   folder → Notion (import)
    diff.py      local markdown → the smallest block changes (sync's push)
    sync.py      both ways, with conflicts, deletions as trash, resumable
    progress.py  a progress line on a terminal, plain lines otherwise
    cli.py       the export / import / sync subcommands
"""
