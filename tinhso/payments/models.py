"""Payments of fees (integer VND), the append-only log of gateway messages, and the
sandbox bank's own record of transactions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ thanh toán")
        PAID = "paid", _("Đã thanh toán")
        FAILED = "failed", _("Không thành công")
        CANCELLED = "cancelled", _("Đã hủy")
        EXPIRED = "expired", _("Hết hạn")

    class Gateway(models.TextChoices):
        VNPAY = "vnpay", _("VNPay")
        SANDBOX = "sandbox", _("Cổng thử nghiệm")
        COUNTER = "counter", _("Nộp tại quầy")

    txn_ref = models.CharField(_("mã giao dịch"), max_length=40, unique=True)
    purpose = models.CharField(_("mục đích"), max_length=40, db_index=True)
    object_ref = models.CharField(_("đối tượng"), max_length=80, db_index=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("đơn vị thụ hưởng"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    description = models.CharField(_("nội dung"), max_length=255)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    gateway = models.CharField(_("kênh thanh toán"), max_length=10, choices=Gateway.choices)
    next_url = models.CharField(max_length=500, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    # gateway response (from the IPN or a status query)
    gateway_txn_no = models.CharField(_("mã giao dịch tại cổng"), max_length=40, blank=True)
    bank_code = models.CharField(_("ngân hàng"), max_length=20, blank=True)
    bank_txn_no = models.CharField(max_length=40, blank=True)
    card_type = models.CharField(max_length=20, blank=True)
    response_code = models.CharField(max_length=4, blank=True)
    transaction_status = models.CharField(max_length=4, blank=True)
    gateway_paid_at = models.DateTimeField(
        _("thời điểm thanh toán tại cổng"), null=True, blank=True
    )
    settled_by = models.CharField(
        _("xác nhận qua"), max_length=10, blank=True, help_text=_("ipn, query hoặc counter")
    )
    receipt_number = models.CharField(
        _("số biên lai"), max_length=30, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("khoản thanh toán")
        verbose_name_plural = _("khoản thanh toán")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["purpose", "object_ref"]),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_pos"),
            # at most one paid payment per caller's object
            models.UniqueConstraint(
                fields=["purpose", "object_ref"],
                condition=models.Q(status="paid"),
                name="payment_one_paid_per_object",
            ),
        ]

    def __str__(self) -> str:
        return self.txn_ref

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("payments:detail", args=[self.txn_ref])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING


class PaymentEvent(models.Model):
    """Every message exchanged with a gateway, as received: IPN calls, browser returns,
    status queries and their answers. Append-only: nothing updates or deletes a row."""

    class Kind(models.TextChoices):
        IPN = "ipn", _("IPN")
        RETURN = "return", _("Trình duyệt quay về")
        QUERY = "query", _("Truy vấn trạng thái")
        COUNTER = "counter", _("Xác nhận tại quầy")
        CREATE = "create", _("Tạo yêu cầu thanh toán")

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="events", null=True, blank=True
    )
    txn_ref = models.CharField(max_length=100, blank=True, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    params = models.JSONField(default=dict)
    signature_valid = models.BooleanField(null=True)
    result_code = models.CharField(max_length=4, blank=True)
    message = models.CharField(max_length=255, blank=True)
    remote_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sự kiện thanh toán")
        verbose_name_plural = _("sự kiện thanh toán")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.txn_ref} {self.result_code}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("PaymentEvent is append-only")
        super().save(*args, **kwargs)


class SandboxTransaction(models.Model):
    """The sandbox bank's side of a transaction (what VNPay would know). Answers querydr."""

    class State(models.TextChoices):
        OPEN = "open", _("Đang chờ khách hàng")
        APPROVED = "approved", _("Đã thanh toán")
        CANCELLED = "cancelled", _("Khách hàng hủy")

    class Mode(models.TextChoices):
        NORMAL = "normal", _("Bình thường: gửi IPN một lần, trước khi quay về")
        TWICE = "twice", _("Gửi IPN hai lần")
        LATE = "late", _("Gửi IPN trễ (sau khi trình duyệt quay về)")
        NEVER = "never", _("Không gửi IPN (cần đối soát)")

    token = models.CharField(max_length=40, unique=True)
    tmn_code = models.CharField(max_length=20)
    txn_ref = models.CharField(max_length=100)
    amount_vnp = models.BigIntegerField()
    order_info = models.CharField(max_length=255)
    return_url = models.CharField(max_length=1000)
    create_date = models.CharField(max_length=14)
    expire_date = models.CharField(max_length=14, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.NORMAL)
    transaction_no = models.CharField(max_length=20, blank=True)
    bank_code = models.CharField(max_length=20, default="NCB")
    pay_date = models.CharField(max_length=14, blank=True)
    ipn_due_at = models.DateTimeField(null=True, blank=True)
    ipn_sent = models.PositiveSmallIntegerField(default=0)
    ipn_last_answer = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("giao dịch cổng thử nghiệm")
        verbose_name_plural = _("giao dịch cổng thử nghiệm")
        constraints = [
            models.UniqueConstraint(fields=["tmn_code", "txn_ref"], name="sandbox_txn_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tmn_code}/{self.txn_ref} {self.state}"
