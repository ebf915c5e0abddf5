"""A non-modal, dismissible message above the feed, with an optional Retry button."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QToolButton

from desktop_app.ui.ask import plain_label


class MessageBar(QFrame):
    """Errors stay visible here until dismissed or resolved; the text is always plain."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = plain_label()
        self.label.setWordWrap(True)
        self.retry_button = QPushButton("Retry")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.close_button)
        self.hide()

    def show_message(self, text: str, retry: bool) -> None:
        self.label.setText(text)
        self.retry_button.setVisible(retry)
        self.show()
