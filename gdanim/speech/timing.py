"""Cutting a caption into the pieces shown one at a time, and how long one is shown unspoken."""

from __future__ import annotations

import re

__all__ = ["READING_RATE", "caption_chunks", "reading_time", "split_sentences"]

#: Characters per second at which a caption is read when no voice speaks it.
READING_RATE = 15.0


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"\u201d)]?\s+(?=[\"\u201c(]?[A-Z0-9\u0370-\u03ff])")
_NO_END_BEFORE = re.compile(r"(?:\b(?:e\.g|i\.e|vs|approx|etc|Fig|cf|Dr|Mr|Ms|No)\.)$",
                            re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """Cut a caption into sentences (at ``.``, ``!`` or ``?`` and a space, before a capital
    letter or a digit; never inside a number or after an abbreviation such as "e.g.").

    Examples
    --------
    >>> split_sentences("The rate is 0.05. After 137 steps, e.g. here, it stops! Why?")
    ['The rate is 0.05.', 'After 137 steps, e.g. here, it stops!', 'Why?']
    """
    text = " ".join(text.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        piece = text[start:m.start()].strip()
        if _NO_END_BEFORE.search(piece):
            continue
        sentences.append(piece)
        start = m.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _depths(text: str) -> list[int]:
    depth, out = 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        out.append(depth)
    return out


def caption_chunks(sentence: str, max_chars: int = 84) -> list[str]:
    """Cut a sentence longer than ``max_chars`` at clause boundaries into shorter captions.

    The cut is made at a ``;``, ``:``, ``,`` or dash outside brackets, as near the middle as
    possible; without one, at the space nearest the middle. Pieces are cut again until each
    fits (84 characters is two subtitle lines of 42).

    Examples
    --------
    >>> caption_chunks("Short enough.")
    ['Short enough.']
    >>> caption_chunks("Adaptive methods scale each coordinate by its own history of "
    ...                "gradients, so they leave the saddle at once, while SGD crawls.", 72)
    ['Adaptive methods scale each coordinate by its own history of gradients,', 'so they leave the saddle at once, while SGD crawls.']
    """  # noqa: E501
    sentence = sentence.strip()
    if len(sentence) <= max_chars:
        return [sentence] if sentence else []
    depth = _depths(sentence)
    middle = len(sentence) / 2
    best: tuple[float, int] | None = None
    for m in re.finditer(r"[;:,\u2014\u2013](?=\s)", sentence):
        k = m.end()
        if depth[m.start()] or sentence[m.start() - 1: m.start()].isdigit() and \
                sentence[k + 1: k + 2].isdigit():
            continue
        weight = {";": 0.0, ":": 0.05, "\u2014": 0.05, "\u2013": 0.05}.get(m[0], 0.1)
        score = abs(k - middle) / len(sentence) + weight
        if best is None or score < best[0]:
            best = (score, k)
    if best is None:
        spaces = [m.start() for m in re.finditer(r" ", sentence) if not depth[m.start()]]
        if not spaces:
            return [sentence]
        cut = min(spaces, key=lambda k: abs(k - middle))
    else:
        cut = best[1]
    head, tail = sentence[:cut].strip(), sentence[cut:].strip()
    if not head or not tail:
        return [sentence]
    return caption_chunks(head, max_chars) + caption_chunks(tail, max_chars)


def reading_time(caption: str, rate: float = READING_RATE, minimum: float = 1.0) -> float:
    """Seconds a caption is shown when nothing is spoken: its length at ``rate`` characters a
    second, at least ``minimum``.

    Examples
    --------
    >>> reading_time("Every step of gradient descent applies one rule.")
    3.2
    """
    return round(max(len(caption.strip()) / rate, minimum), 3)
