from django.db import models


class CacheVersion(models.Model):
    """One row per per-process cache (core/localcache): bumped after every write that makes its
    values stale, read by every process at most every 30 s."""

    name = models.CharField(max_length=100, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = "localcache_version"

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
