"""What a terminal sends, turned into the text a parser expects.

Interactive shells send more than the output: the echoed command, the pager prompt and the
control sequences that erase it (Cisco: backspaces, spaces, backspaces; Huawei: ESC[42D, spaces,
ESC[42D), colours and cursor movement (ANSI escapes), CR LF line ends and the next prompt. This
module removes all of that, without knowing which device sent it.
"""

from __future__ import annotations

import re

# CSI sequences (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and two-byte escapes.
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CURSOR_BACK = r"(?:\x08+|\x1b\[\d*D)"
# What a pager sends after it is answered, to wipe its prompt off the line.
ERASE = re.compile(rf"^{_CURSOR_BACK}[ ]*{_CURSOR_BACK}?")
_CONTROL = re.compile(r"[\x00-\x07\x0b\x0c\x0e-\x1f\x7f]")


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def _backspaces(line: str) -> str:
    """A backspace deletes the character before it (as on the terminal it was meant for)."""
    if "\x08" not in line:
        return line
    out: list[str] = []
    for ch in line:
        if ch == "\x08":
            if out:
                out.pop()
        else:
            out.append(ch)
    return "".join(out)


def _carriage_returns(line: str) -> str:
    """A lone CR returns to the start of the line: what follows overwrites what was there."""
    if "\r" not in line:
        return line
    parts = line.split("\r")
    text = ""
    for part in parts:
        text = part + text[len(part) :] if part else text
    return text


def clean(text: str, more: str = "") -> str:
    """Terminal output -> plain lines joined by \\n: pager prompts and their erasure removed,
    ANSI escapes stripped, CR and backspaces applied, other control characters dropped."""
    if more:
        pager = re.compile(rf"(?:{more})[ ]*(?:{_CURSOR_BACK}[ ]*{_CURSOR_BACK}?)?")
        text = pager.sub("", text)
    text = strip_ansi(text)
    text = text.replace("\r\n", "\n").replace("\n\r", "\n")
    lines = [_carriage_returns(_backspaces(line)) for line in text.split("\n")]
    return "\n".join(_CONTROL.sub("", line).rstrip() for line in lines)


def last_line(text: str) -> str:
    """The line the cursor is on (where a prompt shows), cleaned."""
    return clean(text[-1024:]).rsplit("\n", 1)[-1].strip()


def strip_echo_and_prompt(text: str, command: str, prompt: str) -> str:
    """The output of one command in a shell: without its echoed command line (first line)
    and without the prompt that ended it (last line)."""
    lines = text.split("\n")
    if lines and command and lines[0].strip().endswith(command.strip()):
        lines = lines[1:]
    if lines and prompt and lines[-1].strip() == prompt:
        lines = lines[:-1]
    return "\n".join(lines).strip("\n") + "\n"


def excerpt(text: str, limit: int = 80) -> str:
    """A short, printable piece of output for an error message."""
    flat = " ".join(clean(text[:4096]).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
