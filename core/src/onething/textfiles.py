"""Reading a small UTF-8 input file (events, facts) whole, with located errors.

One place decides what such a file may be: a regular file, UTF-8 with or without a BOM. A
directory, a missing file or another encoding (GBK, UTF-16) is an :class:`InvalidInput` naming
the file, the line and the byte, never a traceback.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from onething.errors import InvalidInput
from onething.i18n import _


def require_file(path: Path) -> None:
    """Raise :class:`InvalidInput` unless ``path`` is an existing regular file."""
    if path.is_dir():
        raise InvalidInput(
            str(path), "", _("应为文件，却是目录", "expected a file, got a directory")
        )
    if not path.exists():
        raise InvalidInput(str(path), "", _("文件不存在", "file not found"))


def read_utf8(path: Path) -> str:
    """The text of ``path``, its UTF-8 BOM (if any) dropped."""
    require_file(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(str(path), "", _("文件不存在", "file not found")) from None
    except OSError as exc:
        raise InvalidInput(
            str(path), "", _("无法读取：", "cannot read: ") + str(exc.strerror)
        ) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidInput(
            f"{path}:{line}",
            "",
            _(
                f"文件必须是 UTF-8 编码：第 {line} 行第 {column} 字节（文件偏移 {exc.start}）为 "
                f"0x{data[exc.start]:02x}",
                f"the file must be UTF-8: byte 0x{data[exc.start]:02x} at byte {column} of "
                f"line {line} (file offset {exc.start})",
            ),
        ) from None
