"""State changes of accounts, one module per topic: :mod:`.users` (actions: create and change users) and
:mod:`.signin` (sign-in throttling bookkeeping: unaudited rows no page shows)."""

from edupulse.accounts.actions.signin import clear_login_failures, is_locked_out, note_login_failure
from edupulse.accounts.actions.users import (
    change_own_password,
    create_user,
    register_user,
    reset_password,
    save_user,
    set_user_active,
    temporary_password,
    update_user,
)

__all__ = ["change_own_password", "clear_login_failures", "create_user", "is_locked_out", "note_login_failure",
           "register_user", "reset_password", "save_user", "set_user_active", "temporary_password", "update_user"]
