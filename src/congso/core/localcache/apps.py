from django.apps import AppConfig


class LocalCacheConfig(AppConfig):
    name = "congso.core.localcache"
    label = "localcache"
    verbose_name = "Phiên bản dữ liệu tham chiếu"
