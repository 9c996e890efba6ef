from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Usernames appear in URLs as /@username, so they are kept to URL-safe characters.
username_validator = RegexValidator(
    regex=r"^[A-Za-z0-9_]{3,30}\Z",
    message=_("Use 3 to 30 characters: letters, digits and underscores only."),
    code="invalid_username",
)

username_validators = [username_validator]
