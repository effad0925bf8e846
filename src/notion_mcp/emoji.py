"""What counts as one emoji, for icons: Notion takes a single emoji, not a name like ":rocket:"."""

from __future__ import annotations

from typing import Any

# Code points that start an emoji (an approximation of Unicode's Extended_Pictographic).
_PICTOGRAPHIC = (
    (0x00A9, 0x00A9),
    (0x00AE, 0x00AE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x21FF),
    (0x2300, 0x23FF),
    (0x24C2, 0x24C2),
    (0x25A0, 0x27BF),
    (0x2900, 0x297F),
    (0x2B00, 0x2BFF),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0x1F000, 0x1F1E5),
    (0x1F200, 0x1FAFF),
)
_ZWJ, _VS15, _VS16, _KEYCAP = "\u200d", "\ufe0e", "\ufe0f", "\u20e3"
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_REGIONAL = range(0x1F1E6, 0x1F200)
_TAGS = range(0xE0020, 0xE007F)
_CANCEL_TAG = "\U000e007f"


def _pictographic(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _PICTOGRAPHIC)


def _emoji_element(part: str) -> bool:
    """One element of a ZWJ sequence: a pictograph with optional variation selector / skin tone."""
    if not part or not _pictographic(part[0]):
        return False
    rest = part[1:]
    if rest.endswith(_CANCEL_TAG) and ord(part[0]) == 0x1F3F4:  # subdivision flags (🏴 + tags)
        return len(rest) > 1 and all(ord(c) in _TAGS for c in rest[:-1])
    return len(rest) <= 2 and all(c in (_VS15, _VS16) or ord(c) in _SKIN_TONES for c in rest)


def is_emoji(value: Any) -> bool:
    """True for one emoji: a pictograph (with variation selector, skin tone or tag sequence),
    a ZWJ sequence of such, a flag (two regional indicators) or a keycap (``1️⃣``)."""
    if not isinstance(value, str) or not value:
        return False
    if len(value) == 2 and all(ord(c) in _REGIONAL for c in value):
        return True
    if value[0] in "0123456789#*" and value[1:] in (_KEYCAP, _VS16 + _KEYCAP):
        return True
    return all(_emoji_element(part) for part in value.split(_ZWJ))
