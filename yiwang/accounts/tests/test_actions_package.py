"""The actions package keeps one import path for every caller: ``accounts.actions.<name>``."""

from yiwang.accounts import actions
from yiwang.accounts.actions import enterprises, login, login_codes, staff

# Names other apps, the admin, views, demo loaders and tests reach through the package.
USED_ELSEWHERE = {
    "ANONYMOUS",
    "SYSTEM",
    "add_agent",
    "add_post",
    "change_password",
    "clean_posts",
    "create_citizen",
    "create_enterprise",
    "create_staff",
    "id_number_index",
    "lock_message",
    "lock_message_until",
    "phone_index",
    "register_failed_login",
    "register_logout",
    "register_successful_login",
    "remove_agent",
    "reveal_personal_data",
    "send_login_code",
    "set_elder_mode",
    "set_post_active",
    "start_acting_for",
    "unlock_account",
    "update_agent",
    "verify_login_code",
}


def test_package_exports_every_public_action():
    assert not USED_ELSEWHERE - set(actions.__all__)
    for name in actions.__all__:
        assert hasattr(actions, name), name


def test_exports_are_the_concern_modules_own_functions():
    assert actions.create_enterprise is enterprises.create_enterprise
    assert actions.register_failed_login is login.register_failed_login
    assert actions.verify_login_code is login_codes.verify_login_code
    assert actions.create_staff is staff.create_staff
