"""State changes of accounts, one module per topic: :mod:`.users` (actions: create and change users) and
:mod:`.signin` (sign-in throttling bookkeeping: unaudited rows no page shows)."""

from edupulse.accounts.actions.signin import clear_login_failures, is_locked_out, note_login_failure
from edupulse.accounts.actions.users import create_user, save_user

__all__ = ["clear_login_failures", "create_user", "is_locked_out", "note_login_failure", "save_user"]
