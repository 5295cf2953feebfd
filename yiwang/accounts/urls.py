from django.urls import path

from . import views, views_mfa

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/sms/send/", views.sms_send, name="sms-send"),
    path("login/sms/", views.sms_login, name="sms-login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register, name="register"),
    path("captcha/", views.captcha_refresh, name="captcha"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.change_password, name="password"),
    path("me/elder-mode/", views.elder_mode, name="elder-mode"),
    path("login/second-factor/", views_mfa.verify, name="mfa-verify"),
    path("second-factor/set-up/", views_mfa.enrol, name="mfa-enrol"),
    path("me/second-factor/disable/", views_mfa.disable, name="mfa-disable"),
    path("me/second-factor/recovery-codes/", views_mfa.recovery_codes, name="mfa-recovery-codes"),
    path("me/password/expired/", views_mfa.password_expired, name="password-expired"),
    path("staff/second-factor/reset/", views_mfa.reset, name="mfa-reset"),
    path("act-as/", views.act_as, name="act-as"),
    path("me/reveal/<str:field>/", views.reveal, name="reveal"),
]
