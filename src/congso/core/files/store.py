"""Content-addressed file store.

A blob is named by the SHA-256 of its bytes, so storing the same file twice stores it once, a
retried upload is harmless, and a row that names a digest can always check the bytes it gets back
(a signed PDF must come back byte for byte). Files are written to a temporary name and renamed,
so a crash never leaves half a file under a real name. Django's storage API sits underneath, so an
S3-compatible backend can replace local disk by configuration.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from congso.core.errors import NotFound


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int

    @property
    def path(self) -> str:
        return blob_path(self.sha256)


def blob_path(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def blob_put(data: bytes) -> StoredBlob:
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(digest)
    if not default_storage.exists(path):
        # FileSystemStorage writes to a temporary file and moves it into place.
        saved = default_storage.save(path, ContentFile(data))
        if saved != path:  # a concurrent writer stored the same bytes first: keep one copy
            default_storage.delete(saved)
    return StoredBlob(sha256=digest, size=len(data))


def blob_read(sha256: str) -> bytes:
    with blob_open(sha256) as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise NotFound(_("Tệp đã lưu bị hỏng: nội dung không khớp mã băm {digest}.").format(digest=sha256))
    return data


def blob_open(sha256: str) -> IO[bytes]:
    path = blob_path(sha256)
    if not default_storage.exists(path):
        raise NotFound(_("Không tìm thấy tệp {digest} trong kho lưu trữ.").format(digest=sha256))
    return default_storage.open(path, "rb")
