from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from eventhub.fields import Form, at_most, strip, valid_email


class LoginForm(Form):
    email = EmailField(_l("Email"), filters=[strip], validators=[DataRequired(_l("Enter your email address.")),
                                                                 at_most(254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         at_most(200)])


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), filters=[strip], validators=[DataRequired(_l("Enter your email address.")),
                                                                 at_most(254), valid_email])


class SetPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Choose a password.")),
        Length(min=10, max=200, message=_l("Use at least 10 characters."))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        EqualTo("password", message=_l("The two passwords are not the same."))])


class InviteForm(Form):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), at_most(200)])
    email = EmailField(_l("Email"), filters=[strip], validators=[DataRequired(_l("Enter an email address.")),
                                                                 at_most(254), valid_email])
    role = SelectField(_l("Role"), choices=[("organiser", _l("Organiser")), ("host", _l("Door host")),
                                            ("admin", _l("Administrator"))], default="organiser")


class InviteHostForm(Form):
    """An event's organiser invites a new door host for that event: no choice of role here."""

    # Named apart from the page's other form (add by address), so that ids and errors do not mix.
    host_name = StringField(_l("Name"), filters=[strip],
                            validators=[DataRequired(_l("Enter a name.")), at_most(200)])
    host_email = EmailField(_l("Email"), filters=[strip], validators=[
        DataRequired(_l("Enter an email address.")), at_most(254), valid_email])


class StaffRoleForm(Form):
    role = SelectField(_l("Part"), choices=[("host", _l("Door host")), ("organiser", _l("Organiser"))],
                       validate_choice=True)
