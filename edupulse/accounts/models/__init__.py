from edupulse.accounts.models.user import LoginFailure, User

__all__ = ["LoginFailure", "User"]
