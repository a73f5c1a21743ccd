from django.contrib import admin

from tinhso.payments.models import Payment, PaymentEvent, SandboxTransaction


class ReadOnlyAdmin(admin.ModelAdmin):
    """Payments change only through the services (IPN, reconciliation, counter)."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["txn_ref", "purpose", "object_ref", "amount", "status", "gateway", "created_at"]
    list_filter = ["status", "gateway", "purpose"]
    search_fields = ["txn_ref", "object_ref", "gateway_txn_no"]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "txn_ref", "signature_valid", "result_code"]
    list_filter = ["kind", "result_code"]
    search_fields = ["txn_ref"]


@admin.register(SandboxTransaction)
class SandboxTransactionAdmin(ReadOnlyAdmin):
    list_display = ["txn_ref", "state", "mode", "ipn_sent", "ipn_last_answer", "created_at"]
