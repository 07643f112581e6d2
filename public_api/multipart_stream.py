"""Incremental multipart/form-data reading: the file part's bytes are handed on chunk by chunk
as the request body arrives, never spooled whole (unlike `request.form()`)."""

from __future__ import annotations

from collections.abc import Iterator

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from core.errors import ErrorCode, FileTooLarge, Invalid

TRUNCATED = "Загрузка прервана: тело запроса обрезано. Повторите загрузку."
MALFORMED = "Некорректный multipart-запрос."


MAX_BOUNDARY = 70  # RFC 2046 §5.1.1; python-multipart itself raises (not a 4xx) past 256


def boundary_of(content_type: str | None) -> bytes:
    mime, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if mime != b"multipart/form-data" or not boundary or len(boundary) > MAX_BOUNDARY:
        raise Invalid("Файл нужно отправить как multipart/form-data в поле «file».", code=ErrorCode.MULTIPART_REQUIRED)
    return boundary


class MultipartFileReader:
    """Reads one file field out of a multipart body given as an iterator of byte chunks."""

    def __init__(self, body: Iterator[bytes], boundary: bytes, *, field: str = "file",
                 max_body_bytes: int | None = None) -> None:
        self._body = body
        self._field = field.encode()
        self._max_body = max_body_bytes
        self._seen = 0
        self._pending: list[bytes] = []
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._in_file = False
        self.file_started = False
        self.file_done = False
        self.ended = False
        self.filename: str | None = None
        self.content_type: str | None = None
        self._parser = MultipartParser(boundary, callbacks={
            "on_part_begin": self._on_part_begin, "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value, "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished, "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end, "on_end": self._on_end,
        })

    # parser callbacks
    def _on_part_begin(self) -> None:
        self._headers = {}

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[self._header_field.strip().lower()] = self._header_value.strip()
        self._header_field = self._header_value = b""

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if options.get(b"name") == self._field and not self.file_started:
            self.file_started = self._in_file = True
            raw_name = options.get(b"filename")
            self.filename = raw_name.decode("utf-8", "replace") if raw_name else None
            ctype = self._headers.get(b"content-type")
            self.content_type = ctype.decode("latin-1") if ctype else None

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._pending.append(bytes(data[start:end]))

    def _on_part_end(self) -> None:
        if self._in_file:
            self._in_file = False
            self.file_done = True

    def _on_end(self) -> None:
        self.ended = True

    # driving
    def _pump(self) -> bool:
        """Feed the next body chunk to the parser; False at the end of the body."""
        chunk = next(self._body, None)
        if chunk is None:
            return False
        self._seen += len(chunk)
        if self._max_body is not None and self._seen > self._max_body:
            raise FileTooLarge()
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise Invalid(MALFORMED, code=ErrorCode.INVALID_MULTIPART) from exc
        return True

    def open(self) -> None:
        """Read until the file part's headers are known."""
        while not self.file_started:
            if not self._pump():
                if self.ended:
                    raise Invalid("В запросе нет файла (поле «file»).", code=ErrorCode.FILE_REQUIRED)
                raise Invalid(TRUNCATED, code=ErrorCode.UPLOAD_TRUNCATED)

    def iter_file(self) -> Iterator[bytes]:
        """The file's bytes; raises `Invalid` (upload_truncated) if the body ends early, before the
        consumer sees the end of the stream — so storage discards the partial object."""
        while True:
            while self._pending:
                yield self._pending.pop(0)
            if self.file_done:
                break
            if not self._pump():
                raise Invalid(TRUNCATED, code=ErrorCode.UPLOAD_TRUNCATED)
        while not self.ended:  # the rest of the body (other fields) must arrive intact too
            if not self._pump():
                raise Invalid(TRUNCATED, code=ErrorCode.UPLOAD_TRUNCATED)
            self._pending.clear()
