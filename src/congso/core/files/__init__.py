"""Stored files: content-addressed blobs under ``MEDIA_ROOT`` (local disk in the embedded default)."""

from congso.core.files.store import StoredBlob, blob_open, blob_put, blob_read

__all__ = ["StoredBlob", "blob_open", "blob_put", "blob_read"]
