"""Messages to account holders. Sent after the change commits (through a task), never inside it."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import timezone

from congso.core.accounts.models import User


def send_lockout_notice(user_id: int) -> bool:
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email or not user.locked_until:
        return False
    until = timezone.localtime(user.locked_until)
    send_mail(
        subject="[congso] Tài khoản của bạn tạm khoá do đăng nhập sai nhiều lần",
        message=(
            f"Kính gửi {user.display_name},\n\n"
            f"Tài khoản {user.username} vừa bị tạm khoá đến {until:%H:%M ngày %d/%m/%Y} vì đăng nhập sai "
            "nhiều lần liên tiếp. Nếu không phải bạn, hãy báo ngay cho quản trị hệ thống của cơ quan.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    return True
