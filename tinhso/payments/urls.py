from django.urls import path

from tinhso.payments import views

app_name = "payments"
urlpatterns = [
    path("", views.payment_list, name="list"),
    # the gateway calls exactly GET /payments/vnpay/ipn (no trailing slash)
    path("vnpay/ipn", views.vnpay_ipn, name="ipn"),
    path("vnpay/return", views.vnpay_return, name="return"),
    path("sandbox/pay", views.sandbox_pay, name="sandbox_pay"),
    path("sandbox/querydr", views.sandbox_querydr_view, name="sandbox_querydr"),
    path("<str:txn_ref>/", views.payment_detail, name="detail"),
    path("<str:txn_ref>/trang-thai", views.payment_status, name="status"),
    path("<str:txn_ref>/thanh-toan", views.payment_start, name="start"),
    path("<str:txn_ref>/kiem-tra", views.payment_recheck, name="recheck"),
    path("<str:txn_ref>/bien-lai.pdf", views.payment_receipt, name="receipt"),
]
