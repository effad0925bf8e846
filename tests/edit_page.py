"""The page the edit tests start from (tests/tools/test_edits.py through the sandbox,
tests/notion/test_edit_plan.py at unit speed): sections, nested lists, a toggle, columns, a table."""

PAGE = """## Summary

The deadline is **March 3**. Owners: Ada.

- First item
  - Nested item
- Second item

1. One
2. Two

<details>
<summary>More details</summary>

Hidden paragraph.

</details>

<columns>

<column>

Left side.

</column>

<column>

Right side.

</column>

</columns>

| Name | Value |
| --- | --- |
| a | 1 |
| b | 2 |

## Risks

Risk one.

- Risk two

### Detail

Risk detail.

## Decisions

We ship.
"""
