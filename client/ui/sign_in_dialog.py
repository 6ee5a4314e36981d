"""Sign in once: the desk's address (usually set by IT), your user name and password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.core.errors import ClientError, ValidationError
from client.core.models import Person
from client.core.settings import SignInSecret, desk_url_problem
from client.services.account import Account
from client.ui import resources, texts


class SignInDialogView(QVBoxLayout):
    """The widgets of the sign-in dialog; no behaviour."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self.intro = QLabel(
            self.tr(
                "Sign in with the user name and password you use for the service desk. "
                "You only need to do this once on this computer."
            )
        )
        self.intro.setWordWrap(True)
        self.addWidget(self.intro)
        form = QFormLayout()
        self.url = QLineEdit()
        self.url.setObjectName("url")
        self.url.setPlaceholderText("https://servicedesk.example.org")
        self.url_hint = QLabel(self.tr("Set by your IT department."))
        self.url_hint.setObjectName("urlHint")
        self.url_hint.hide()
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_label = QLabel(self.tr("Password"))
        self.password_label.setBuddy(self.password)
        form.addRow(self.tr("Service desk address"), self.url)
        form.addRow("", self.url_hint)
        self.username_label = QLabel(self.tr("User name"))
        self.username_label.setBuddy(self.username)
        form.addRow(self.username_label, self.username)
        form.addRow(self.password_label, self.password)
        self.keep = QCheckBox(self.tr("Keep me signed in on this computer"))
        self.keep.setObjectName("keepSignedIn")
        self.keep.setToolTip(
            self.tr(
                "Your password is kept in this computer's keyring, so the app can sign "
                "you in again by itself when the service desk ends your session."
            )
        )
        self.keep.hide()
        form.addRow("", self.keep)
        self.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setProperty("role", "error")
        self.message.hide()
        self.addWidget(self.message)
        self.buttons = QDialogButtonBox()
        self.sign_in = QPushButton(self.tr("Sign in"))
        self.sign_in.setObjectName("signIn")
        self.sign_in.setDefault(True)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setObjectName("cancel")
        self.cancel.setAutoDefault(False)
        self.buttons.addButton(self.sign_in, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel, QDialogButtonBox.ButtonRole.RejectRole)
        self.addWidget(self.buttons)

    def ask_for(self, secret: SignInSecret) -> None:
        """Say what this kind of desk takes besides the user name, and where to find it."""
        if secret is SignInSecret.PASSWORD_OR_KEY:
            intro = self.tr(
                "Sign in with the user name and password you use for the service desk, or "
                "paste your API key instead of the password (in the service desk: My "
                "account, API access key). You only need to do this once on this computer."
            )
            label = self.tr("Password or API key")
        elif secret is SignInSecret.PASSWORD_OR_TOKEN:
            intro = self.tr(
                "Sign in with the user name and password you use for the service desk, or "
                "paste a personal access token instead of the password (in the service "
                "desk: your profile, Token Access). You only need to do this once on this "
                "computer."
            )
            label = self.tr("Password or token")
        elif secret is SignInSecret.APP_PASSWORD:
            intro = self.tr(
                "Sign in with your service desk login name and an application password. "
                "Your own password does not work for apps: make an application password "
                "in the service desk under your settings, Application passwords, and paste "
                "it here. You only need to do this again when it expires."
            )
            label = self.tr("Application password")
            self.username_label.setText(self.tr("Login name"))
        else:
            return  # the intro and label as built
        self.intro.setText(intro)
        self.password_label.setText(label)


class SignInDialog(QDialog):
    """Asks the account to sign in; closes when it has, explains when it has not."""

    def __init__(
        self,
        account: Account,
        *,
        url: str,
        url_locked: bool,
        username: str,
        reason: str = "",
        offer_keep: bool = False,
        secret: SignInSecret = SignInSecret.PASSWORD,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        resources.dress(self, "signInDialog", self.tr("Sign in to the service desk"))
        self.setMinimumWidth(440)
        self._account = account
        self._busy = False
        self.view = SignInDialogView(self)
        self.view.url.setText(url)
        self.view.url.setReadOnly(url_locked)
        self.view.url_hint.setVisible(url_locked)
        self.view.username.setText(username)
        self.view.keep.setVisible(offer_keep)  # desks whose sessions end (Request Tracker)
        self.view.ask_for(secret)
        if reason == "auth_failed":
            self._show_message(self.tr("Your sign-in has expired. Please sign in again."))
        for field in (self.view.url, self.view.username, self.view.password):
            if not field.text() and not field.isReadOnly():
                field.setFocus()
                break
        self.view.sign_in.clicked.connect(self._on_sign_in_clicked)
        self.view.cancel.clicked.connect(self.reject)
        account.signed_in.connect(self._on_account_signed_in)
        account.sign_in_failed.connect(self._on_account_sign_in_failed)
        account.credential_not_saved.connect(self._on_account_credential_not_saved)
        #: Signed in, but only until the app stops: said before the dialog closes.
        self._for_this_session = False

    def _on_sign_in_clicked(self) -> None:
        if self._busy:
            return
        url, username = self.view.url.text().strip(), self.view.username.text().strip()
        password = self.view.password.text()
        problem = desk_url_problem(url)
        if problem is not None:
            self._show_message(texts.error_message(ValidationError(problem, "url")))
            self.view.url.setFocus()
            return
        if not username or not password:
            self._show_message(self.tr("Please enter your user name and password."))
            (self.view.username if not username else self.view.password).setFocus()
            return
        self._set_busy(True)
        self._account.sign_in(
            url,
            username,
            password,
            keep_password=self.view.keep.isVisibleTo(self) and self.view.keep.isChecked(),
        )

    def _on_account_credential_not_saved(self, _error: ClientError) -> None:
        self._for_this_session = self._busy

    def _on_account_signed_in(self, _person: Person | None) -> None:
        if not self._busy:
            return
        self._set_busy(False)
        self.view.password.clear()
        if not self._for_this_session:
            self.accept()
            return
        # The intro promised "only once": not so here, and the employee should know why.
        self.view.message.setProperty("role", "warning")
        self.view.message.style().polish(self.view.message)
        self._show_message(
            self.tr(
                "You are signed in, but only until the app or the computer restarts: this "
                "computer has no keyring (a safe place for passwords) the app can use, so "
                "you will be asked to sign in again then. Your IT department can set one up."
            )
        )
        for widget in (self.view.url, self.view.username, self.view.password, self.view.keep):
            widget.setEnabled(False)
        self.view.sign_in.hide()
        self.view.cancel.setText(self.tr("OK"))
        self.view.cancel.clicked.disconnect()
        self.view.cancel.clicked.connect(self.accept)
        self.view.cancel.setDefault(True)
        self.view.cancel.setFocus()

    def _on_account_sign_in_failed(self, error: ClientError) -> None:
        if not self._busy:
            return
        self._set_busy(False)
        self.view.password.clear()
        self._show_message(texts.error_message(error, signing_in=True))
        self.view.password.setFocus()

    def _show_message(self, text: str) -> None:
        self.view.message.setText(text)
        self.view.message.show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.view.username, self.view.password, self.view.sign_in):
            widget.setEnabled(not busy)
        self.view.sign_in.setText(self.tr("Signing in…") if busy else self.tr("Sign in"))
        if busy:
            self.view.message.hide()
