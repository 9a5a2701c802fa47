"""The fallback ordering for ecosystems without a scheme of their own.

A "natural" order that suits most dotted release numbers and never raises:

* a leading ``v`` before a digit is dropped (``v1.2`` is ``1.2``, as in tags);
* a version is read as runs of digits and runs of letters (any alphabet);
  everything else (``.``, ``-``, ``_``, ``+``, spaces ...) only separates
  runs and is otherwise ignored, so ``1.0`` equals ``1-0`` and ``1_0``;
* runs compare pairwise: digit runs as numbers (leading zeros ignored),
  letter runs case-insensitively (the exact spelling of the words breaks
  ties only after everything else);
* where the kinds differ, or one version runs out, the first version is
  newer if its run ranks higher: a number, then any word, then the end of
  the version, then a pre-release word (``dev``, ``snapshot``, ``alpha``,
  ``beta``, ``pre``, ``preview``, ``rc``, in that order).

So ``1.0rc1 < 1.0 < 1.0a < 1.0.1 < 1.1``. Unknown schemes get a usable
order; exotic ones (date-based, hashes) get a deterministic one.
"""

from __future__ import annotations

import re

from assay.versions._keyed import KeyedScheme, cached_key

_RUN = re.compile(r"[0-9]+|[^\W0-9_]+")

_PRE_RELEASE = {
    "dev": 0,
    "snapshot": 1,
    "alpha": 2,
    "beta": 3,
    "pre": 4,
    "preview": 5,
    "rc": 6,
}
# Ranks: at the first difference in kind, the higher rank is newer.
_PRE, _END, _WORD, _NUMBER = 0, 1, 2, 3

# (rank, number or pre-release order, text): digits for numbers, folded text for words.
Run = tuple[int, int, str]
# The runs, then the exact words as a tie-break, so case never outweighs a later run.
Key = tuple[tuple[Run, ...], tuple[str, ...]]
_END_RUN: Run = (_END, 0, "")


def _run(text: str) -> Run:
    if "0" <= text[0] <= "9":
        stripped = text.lstrip("0")
        return (_NUMBER, len(stripped), stripped)
    folded = text.casefold()
    if folded in _PRE_RELEASE:
        return (_PRE, _PRE_RELEASE[folded], folded)
    return (_WORD, 0, folded)


def _compute_key(version: str) -> Key:
    if version[:1] in {"v", "V"} and "0" <= version[1:2] <= "9":
        version = version[1:]  # a tag's "v" prefix: v1.2 is 1.2
    runs = [m.group() for m in _RUN.finditer(version)]
    words = tuple(r for r in runs if not "0" <= r[0] <= "9")
    return ((*(_run(r) for r in runs), _END_RUN), words)


SCHEME = KeyedScheme(name="generic", key_fn=cached_key(_compute_key))
