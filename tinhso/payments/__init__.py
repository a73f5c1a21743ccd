"""Online payment of fees (VNPay protocol) and receipts. Knows nothing of dossiers.

Interface for callers (e.g. the ``services`` app)
-------------------------------------------------
1. Register, once (in your ``AppConfig.ready()``), what happens when a payment of your
   purpose succeeds (and, optionally, fails/is cancelled/expires)::

       from tinhso.payments.services import payment_success_register, payment_failure_register

       def on_fee_paid(payment: Payment) -> None:      # payment.object_ref is your id
           ...                                         # e.g. resume the dossier's clock

       payment_success_register("dossier_fee", on_fee_paid)
       payment_failure_register("dossier_fee", on_fee_failed)   # optional

   The callback runs exactly once per payment, inside the transaction that records it
   (row locked, status already "paid"): your state change and the payment commit together.
   If the callback raises, nothing is recorded and the gateway/reconciliation retries. Do
   not call external services from it.

2. Open a payment and send the payer to it::

       from tinhso.payments.services import payment_create

       payment = payment_create(
           payer=user, org_unit=receiving_unit, amount=50_000,          # integer VND
           purpose="dossier_fee", object_ref=str(dossier.pk),
           description="Lệ phí hồ sơ 724-250101-0001",
           next_url=f"/dich-vu-cong/ho-so/{dossier.pk}/",   # local path, shown after paying
       )                       # gateway=None → configured online gateway; "counter" = cash
       return redirect(payment.get_absolute_url())          # page with the "Pay" button
       # or straight to the gateway:  redirect("payments:start", txn_ref=payment.txn_ref)

   ``payment_create`` returns the existing pending payment for the same object/amount/payer
   (no double order from two tabs) and refuses when the object is already paid.
   Lower level: ``payment_redirect_url(payment=, client_ip=, return_url=)``.

3. Read: ``selectors.payment_paid_for_object(purpose=, object_ref=)``,
   ``payments_for_object``, ``payment_get(txn_ref=)``, ``payment_can_view(user=, payment=)``.
   Templates: ``{% load payments_tags %}{{ amount|vnd }}`` → "1.250.000 ₫".
   Other writes: ``payment_counter_confirm(actor=, payment=)`` (cash at the counter, gateway
   "counter"), ``payment_cancel(actor=, payment=)`` (checks the gateway first),
   ``payment_check(payment=)`` (querydr now).

How a payment is recorded
-------------------------
Only from the gateway's IPN (``GET /payments/vnpay/ipn``, answers 97/01/04/02/00/99) or
from a status query (``manage.py reconcile_payments``, or the payer's "check again"
button) — never from the browser return (``/payments/vnpay/return``), which only shows a
message. Every gateway message is kept in ``PaymentEvent``. When ``VNPAY_URL`` is
``/payments/sandbox/pay`` (the demo), the platform's sandbox bank plays VNPay, with IPN
modes normal / twice / late / never (``tinhso.payments.sandbox``).
"""
